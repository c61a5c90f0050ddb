/** Redis error replies are told apart by their kind (the reply's first word), not by free text. */
import { isRedisAuthError } from '../../src/util/redis';

test.each([
  ['NOAUTH Authentication required.', true],
  ['WRONGPASS invalid username-password pair or user is disabled.', true],
  ['ERR invalid password', true],
  ['ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?', true],
  ['ERR unknown command `AUTHX`, with args beginning with: ', false],
  ['WRONGTYPE Operation against a key holding the wrong kind of value', false],
  ['connect ECONNREFUSED 127.0.0.1:6379', false],
])('%s: an authentication problem? %s', (reply, auth) => {
  expect(isRedisAuthError(new Error(reply))).toBe(auth);
});
