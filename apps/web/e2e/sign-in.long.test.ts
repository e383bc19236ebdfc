// Sign-in through the real authorization-code flow against the local GitHub and Google stand-ins, the owner the api
// assigned shown in the header, and the profile endpoints that would let a person rename their owner refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchFromPage, withPage } from '@neuronetiq/testing-web';
import { describeWeb, PAGE_BACKEND, shownOwner, signInWithGitHub, signInWithGoogle } from './support';

describeWeb(
  'sign-in',
  (ctx) => {
    test('GitHub sign-in maps the numeric-id identity to the lower-cased login as owner, and sign-out ends it', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        await signInWithGitHub(page, stack, 'Alice-Vendor');
        assert.equal(await shownOwner(page), 'alice-vendor');
        assert.ok(
          stack.github.requests.some((r) => r.path === '/user'),
          'the app read the profile from the GitHub stand-in',
        );
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('link', { name: 'Sign in' }).waitFor();
        assert.equal(await page.getByTestId('signed-in-owner').count(), 0);
      });
    });

    test('Google sign-in maps the e-mail local part to <local>_google as owner', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        await signInWithGoogle(page, stack, 'carol.trader@example.com');
        assert.equal(await shownOwner(page), 'carol-trader_google');
      });
    });

    test('a cancelled sign-in at the provider comes back to the login page with a message', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        await page.goto('/marketplace/login');
        await page.getByRole('button', { name: 'Continue with GitHub' }).click();
        await page.waitForURL((url) => url.origin === stack.github.url);
        await page.getByRole('button', { name: 'Cancel' }).click();
        await page.waitForURL((url) => url.origin === stack.webUrl);
        // Next's route announcer is an empty alert of its own; the message is the one with text.
        await page
          .getByRole('alert')
          .filter({ hasText: /cancel/i })
          .waitFor();
        assert.equal(await page.getByTestId('signed-in-owner').count(), 0);
      });
    });

    test('/update-user and /sign-up/email are refused: a signed-in person cannot rename their owner', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        await signInWithGitHub(page, stack, 'bob-quant');
        assert.equal(await shownOwner(page), 'bob-quant');
        // From the page itself, with its cookies and origin: what a person with devtools can send.
        const [session, updateUser, signUp] = await fetchFromPage(page, [
          { path: '/api/auth/get-session' },
          { path: '/api/auth/update-user', body: { owner: 'alice-vendor', name: 'alice-vendor' } },
          { path: '/api/auth/sign-up/email', body: { email: 'x@example.com', password: 'password1234', name: 'x' } },
        ]);
        const attempts = { session: session?.status, updateUser: updateUser?.status ?? 0, signUp: signUp?.status ?? 0 };
        assert.equal(attempts.session, 200, 'the same page may call the auth api (so a refusal is not a CSRF check)');
        assert.ok(
          attempts.updateUser >= 400 && attempts.updateUser < 500,
          `update-user answered ${attempts.updateUser}`,
        );
        assert.ok(attempts.signUp >= 400 && attempts.signUp < 500, `sign-up answered ${attempts.signUp}`);
        await page.reload();
        assert.equal(await shownOwner(page), 'bob-quant', 'the owner is unchanged');
      });
    });
  },
  { backends: PAGE_BACKEND },
);
