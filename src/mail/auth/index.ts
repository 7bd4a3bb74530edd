export { authenticateSender, type SenderAuthMode, type SenderAuthOptions, type SenderAuthResult } from './authenticate-sender.ts';
export { parseAuthenticationResults, type AuthenticationResults, type AuthResult } from './authentication-results.ts';
export { isAligned, organizationalDomain } from './alignment.ts';
export { readHeaderFields, type HeaderField } from './header-fields.ts';
export {
  decideNotice,
  routeInbound,
  NOTICE_WINDOW_MS,
  type NoticeCounts,
  type NoticeDecision,
  type NoticeInput,
  type NoticeKind,
  type NoticeLimits,
  type RouteDecision,
  type RouteInput,
  type SenderStatus,
  type SuppressReason,
} from './sender-policy.ts';
export { readSpamVerdict } from './spam-verdict.ts';
export { selectTrustedResults, type TrustedResults, type TrustedSelection } from './trusted-results.ts';
export { verdictFromResults, type SenderVerdict, type VerdictWithReasons } from './verdict.ts';
export { checkDkimAndDmarc, systemResolver, type DNSResolver } from './verify-dkim.ts';
export { cachingResolver } from './dns-cache.ts';
