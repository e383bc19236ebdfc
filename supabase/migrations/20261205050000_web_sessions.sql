-- The web app's sign-in state (better-auth: users, sessions, OAuth accounts, state/verification rows), in a schema of
-- its own so that it never mixes with the platform's tables. Only the web server's own connection reads it; the api's
-- request roles (anon, authenticated) get no access. The column names are better-auth's (camelCase, quoted); the test
-- apps/web/src/server/auth-schema.test.ts fails when a better-auth upgrade expects a column this file does not create.
-- `owner` and `apiUserId` are what POST /api/auth/identity answered at sign-in (app.users' owner, auth.users' id);
-- `provider` and `login` the identity it was (github or google; the GitHub login or the e-mail's local part).

CREATE SCHEMA IF NOT EXISTS better_auth;
REVOKE ALL ON SCHEMA better_auth FROM PUBLIC;

CREATE TABLE better_auth."user" (
  "id" text NOT NULL PRIMARY KEY,
  "name" text NOT NULL,
  "email" text NOT NULL UNIQUE,
  "emailVerified" boolean NOT NULL,
  "image" text,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "owner" text,
  "apiUserId" text,
  "provider" text,
  "login" text
);

CREATE TABLE better_auth."session" (
  "id" text NOT NULL PRIMARY KEY,
  "expiresAt" timestamptz NOT NULL,
  "token" text NOT NULL UNIQUE,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL,
  "ipAddress" text,
  "userAgent" text,
  "userId" text NOT NULL REFERENCES better_auth."user" ("id") ON DELETE CASCADE
);
CREATE INDEX "session_userId_idx" ON better_auth."session" ("userId");

CREATE TABLE better_auth."account" (
  "id" text NOT NULL PRIMARY KEY,
  "accountId" text NOT NULL,
  "providerId" text NOT NULL,
  "userId" text NOT NULL REFERENCES better_auth."user" ("id") ON DELETE CASCADE,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  "scope" text,
  "password" text,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL
);
CREATE INDEX "account_userId_idx" ON better_auth."account" ("userId");
-- One better-auth user per provider identity (GitHub's numeric id, Google's sub): a renamed login keeps its account.
CREATE UNIQUE INDEX "account_provider_subject_idx" ON better_auth."account" ("providerId", "accountId");

CREATE TABLE better_auth."verification" (
  "id" text NOT NULL PRIMARY KEY,
  "identifier" text NOT NULL,
  "value" text NOT NULL,
  "expiresAt" timestamptz NOT NULL,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "verification_identifier_idx" ON better_auth."verification" ("identifier");
