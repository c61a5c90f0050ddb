/**
 * Oceanus API failures: `Response.Error.Code` values (the API's common codes and Oceanus's own,
 * as listed in the public SDKs' `oceanus/v20190422/errors`) turned into messages a user can act on.
 * No message ever carries a credential: the client redacts server text before it gets here.
 */
import { RuntimeFailure } from '../../errors';
import { ACTIONS, MAX_JOB_NAME } from './api';

/** An answer with `Response.Error`. */
export class OceanusApiError extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    readonly apiMessage: string,
    readonly requestId: string | undefined,
    /** How many times the call was made. */
    public attempts = 1,
  ) {
    super(`${action}: ${code}: ${apiMessage}`);
  }
}

/** The request never got an answer (connection refused or dropped, timeout, not JSON, HTTP 5xx). */
export class OceanusNetworkError extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
    public attempts = 1,
  ) {
    super(`${action}: ${reason}`);
  }
}

/** Codes after which the same request may simply be sent again (nothing was done). */
export function isThrottled(code: string): boolean {
  return code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.');
}

/** Codes after which a retry may succeed, though the request may have had an effect. */
export function isTransient(code: string): boolean {
  return ['InternalError', 'InternalError.SystemError', 'InternalError.DB', 'InternalError.CamCgwError', 'ServiceUnavailable'].includes(
    code,
  );
}

/** Codes that mean the key's CAM user may not call the action. */
const PERMISSION_DENIED = ['AuthFailure.UnauthorizedOperation', 'UnauthorizedOperation', 'UnsupportedOperation.NoPermissionAccess'];

export function isPermissionDenied(e: unknown): boolean {
  return e instanceof OceanusApiError && PERMISSION_DENIED.includes(e.code);
}

/** What the messages may name: where the values came from, never the values of secrets. */
export interface ErrorHints {
  /** How to set each credential, e.g. `TENCENTCLOUD_SECRET_ID` or `targets.oceanus.secretId`. */
  secretIdSource: string;
  secretKeySource: string;
  tokenSource: string;
  endpoint: string;
  region: string;
  clusterId: string;
  jobName: string;
  parallelism: number;
  cuMem: number;
}

const NAMES = [...ACTIONS.read, ...ACTIONS.write].map((a) => `oceanus:${a}`);
const PERMISSIONS = `${NAMES.slice(0, -1).join(', ')} and ${NAMES.at(-1)}`;

/** The actionable sentence for a code, or undefined for codes with nothing better than the API's text. */
function advice(code: string, action: string, h: ErrorHints): string | undefined {
  if (PERMISSION_DENIED.includes(code)) {
    return `the API key is not allowed to call oceanus:${action}; grant its CAM user ${PERMISSIONS} (e.g. the QcloudOceanusFullAccess policy) on cluster ${h.clusterId}`;
  }
  if (isThrottled(code))
    return `Oceanus kept throttling ${action} (${code}) after retries; wait a minute and run again, or deploy less often`;
  switch (code) {
    case 'AuthFailure.SignatureFailure':
      return `Oceanus rejected the request signature: the secret key does not match the SecretId; set ${h.secretKeySource} to the SecretKey that belongs to ${h.secretIdSource} (no quotes or spaces around it)`;
    case 'AuthFailure.SecretIdNotFound':
    case 'AuthFailure.InvalidSecretId':
      return `Tencent Cloud does not know the SecretId in ${h.secretIdSource} (deleted, disabled or mistyped); create or enable an API key in the CAM console and set ${h.secretIdSource} and ${h.secretKeySource}`;
    case 'AuthFailure.SignatureExpire':
      return "the request timestamp is more than 5 minutes away from Tencent Cloud time; synchronise this machine's clock (NTP) and run again";
    case 'AuthFailure.TokenFailure':
      return `the session token in ${h.tokenSource} is invalid or expired; fetch new temporary credentials (SecretId, SecretKey and token together)`;
    case 'AuthFailure.InvalidAuthorization':
    case 'AuthFailure':
      return `Oceanus could not authenticate the request; check ${h.secretIdSource} and ${h.secretKeySource}`;
    case 'AuthFailure.MFAFailure':
      return 'the API key requires MFA, which API calls cannot pass; use a key without MFA protection for deploys';
    case 'IpInBlacklist':
    case 'IpNotInWhitelist':
      return "Tencent Cloud refused requests from this IP address for this API key; check the key's IP restrictions in the CAM console";
    case 'InvalidParameter.InvalidRegion':
    case 'UnsupportedRegion':
      return `Oceanus is not available in region '${h.region}'; set targets.<name>.region to the cluster's region`;
    case 'ResourceNotFound.ClusterId':
    case 'InvalidParameterValue.ClusterId':
    case 'InvalidParameter.InvalidClusterId':
      return `there is no Oceanus cluster '${h.clusterId}' in region ${h.region} for this account; check the clusterId (OCEANUS_CLUSTER_ID) and region`;
    case 'ResourceUnavailable.Cluster':
    case 'ResourceUnavailable.ClusterGroupStatus':
      return `cluster ${h.clusterId} is not running (being created, scaled, isolated or deleted); retry when it is running`;
    case 'ResourceInsufficient.CU':
      return `cluster ${h.clusterId} has not enough free CUs for parallelism ${h.parallelism}; lower the target's parallelism, stop other jobs, or scale the cluster`;
    case 'InvalidParameterValue.CuMem':
    case 'ResourceUnavailable.ReqCuMem':
      return `cuMem ${h.cuMem} is not allowed on cluster ${h.clusterId} (shared clusters allow only 4; 2, 8 and 16 need a dedicated cluster and the allow-list)`;
    case 'LimitExceeded.Job':
      return 'the account has reached its Oceanus job quota; delete jobs you no longer need or ask Tencent Cloud for a higher quota';
    case 'LimitExceeded.JobConfig':
      return `job '${h.jobName}' has reached its limit of configuration versions; delete old versions in the Oceanus console (or with DeleteJobConfigs) and deploy again`;
    case 'LimitExceeded':
      return 'an Oceanus quota is exhausted; free some resources or ask Tencent Cloud for a higher quota';
    case 'FailedOperation.GrammarCheckFailure':
    case 'FailedOperation.ParseSql':
      return 'Oceanus rejected the SQL; check it with `uvpv generate --dialect oceanus`';
    case 'InvalidParameterValue.JobName':
    case 'InvalidParameter.InvalidName':
      return `Oceanus does not accept the job name '${h.jobName}' (letters, digits, '-', '_', '.', at most ${MAX_JOB_NAME} characters)`;
    case 'ResourceNotFound.Job':
    case 'ResourceNotFound.JobId':
      return `job '${h.jobName}' disappeared while deploying (deleted meanwhile?); run the command again`;
    case 'ResourceUnavailable.NotAllowedToBeStopOrPause':
      return `job '${h.jobName}' cannot be stopped or paused in its current state; check it with \`uvpv status\``;
    case 'InvalidAction':
    case 'NoSuchVersion':
    case 'NoSuchProduct':
      return `the endpoint ${h.endpoint} does not serve the Oceanus API 2019-04-22; check the target's endpoint`;
    default:
      if (code.startsWith('InternalError') || code === 'ServiceUnavailable') {
        return `Oceanus had an internal error on ${action} (${code}) even after retries; try again later`;
      }
      return undefined;
  }
}

/** The failure to show for an error from the Oceanus client; anything else is passed through. */
export function explain(e: unknown, h: ErrorHints): unknown {
  if (e instanceof OceanusApiError) {
    const ref = `${e.action} → ${e.code}: ${e.apiMessage}${e.requestId ? ` (RequestId ${e.requestId})` : ''}`;
    const attempts = e.attempts > 1 ? ` after ${e.attempts} attempts` : '';
    const msg = advice(e.code, e.action, h) ?? `Oceanus ${e.action} failed${attempts}: ${e.code}: ${e.apiMessage}`;
    return new RuntimeFailure(msg, ref);
  }
  if (e instanceof OceanusNetworkError) {
    return new RuntimeFailure(
      `could not reach Oceanus at ${h.endpoint} (${e.action}: ${e.reason}) after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}; check the network, a proxy, or the target's endpoint (UVPV_OCEANUS_ENDPOINT)`,
    );
  }
  return e;
}
