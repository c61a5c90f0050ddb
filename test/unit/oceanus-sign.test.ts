/**
 * TC3-HMAC-SHA256 pinned to the worked example of Tencent Cloud's "Signature v3" documentation
 * (CVM DescribeInstances, SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE, SecretKey
 * Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, X-TC-Timestamp 1551113065): its inputs and every published
 * intermediate value, down to the signature 72e494ea….
 */
import { parseTc3Authorization, tc3Sign, utcDate } from '../../src/deploy/oceanus/sign';

const EXAMPLE = {
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  service: 'cvm',
  timestamp: 1551113065,
  // The body exactly as published: the Chinese name written as \u escapes.
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  headers: { 'Content-Type': 'application/json; charset=utf-8', Host: 'cvm.tencentcloudapi.com' },
};

test('the published worked example: canonical request, string to sign, signature and Authorization', () => {
  const s = tc3Sign(EXAMPLE);
  expect(s.canonicalRequest).toBe(
    'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
      '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  );
  expect(s.credentialScope).toBe('2019-02-25/cvm/tc3_request');
  expect(s.stringToSign).toBe(
    'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  );
  expect(s.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  expect(s.authorization).toBe(
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
      'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  );
});

test('the date is the UTC date: 1551113065 is 2019-02-26 00:44 in UTC+8 but 2019-02-25 in UTC', () => {
  expect(utcDate(1551113065)).toBe('2019-02-25');
  expect(utcDate(1551139199)).toBe('2019-02-25');
  expect(utcDate(1551139200)).toBe('2019-02-26');
});

test('more signed headers are sorted, lower-cased and trimmed; any change to them or the body changes the signature', () => {
  const withAction = tc3Sign({ ...EXAMPLE, headers: { 'X-TC-Action': ' DescribeInstances ', ...EXAMPLE.headers } });
  expect(withAction.signedHeaders).toBe('content-type;host;x-tc-action');
  expect(withAction.canonicalRequest).toContain(
    'host:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n',
  );
  expect(withAction.signature).not.toBe(tc3Sign(EXAMPLE).signature);
  expect(tc3Sign({ ...EXAMPLE, payload: EXAMPLE.payload.replace('1', '2') }).signature).not.toBe(tc3Sign(EXAMPLE).signature);
  expect(tc3Sign({ ...EXAMPLE, service: 'oceanus' }).credentialScope).toBe('2019-02-25/oceanus/tc3_request');
});

test('signing refuses to leave out content-type or host', () => {
  expect(() => tc3Sign({ ...EXAMPLE, headers: { Host: 'cvm.tencentcloudapi.com' } })).toThrow(/content-type and host/);
});

test('an Authorization value parses back into its parts; anything else does not parse', () => {
  const parsed = parseTc3Authorization(tc3Sign(EXAMPLE).authorization);
  expect(parsed).toEqual({
    secretId: EXAMPLE.secretId,
    date: '2019-02-25',
    service: 'cvm',
    terminator: 'tc3_request',
    signedHeaders: ['content-type', 'host'],
    signature: '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  });
  expect(parseTc3Authorization('Basic dXNlcjpwdw==')).toBeUndefined();
});
