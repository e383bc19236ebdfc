export {
  type A11yViolation,
  browserSkipReason,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  fetchFromPage,
  findA11yViolations,
  formatViolations,
  isLoopbackUrl,
  launchBrowser,
  type OpenPageOptions,
  openPage,
  type PageRequest,
  screenshot,
  TEST_RESULTS_DIR,
  type TestPage,
  VIEWPORTS,
  type ViewportName,
  withPage,
} from './browser';
export {
  type GitHubOAuthOptions,
  type GitHubOAuthServer,
  type GitHubUser,
  type OAuthClient,
  startGitHubOAuthServer,
} from './github-oauth';
export {
  type GoogleOidcOptions,
  type GoogleOidcServer,
  type GoogleUser,
  type OidcClient,
  startGoogleOidcServer,
} from './google-oidc';
