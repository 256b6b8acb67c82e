import { dashboard, expect, test } from './fixtures';

declare global {
  interface Window {
    /** Content-Security-Policy violations the page reported, as "directive blocked-uri". */
    __rosterE2eViolations?: string[];
    __rosterE2eInjected?: boolean;
  }
}

/** The policy's directives by name, e.g. `script-src` → `["'self'", "'nonce-…'"]`. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

test('the dashboard has a nonce-based Content-Security-Policy, its scripts carry the nonce, and it still works', async ({
  page,
}) => {
  await page.addInitScript(() => {
    const violations: string[] = (window.__rosterE2eViolations = []);
    document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const headers = response?.headers() ?? {};

  const policy = directives(headers['content-security-policy'] ?? '');
  const scriptSrc = policy.get('script-src') ?? [];
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc.find((v) => v.startsWith("'nonce-")) ?? '')?.[1];
  expect(nonce, `script-src ${scriptSrc.join(' ')}`).toBeDefined();
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');

  // Every script in the HTML carries this response's nonce…
  const html = (await response?.text()) ?? '';
  const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length).toBeGreaterThan(0);
  for (const tag of scriptTags) expect(tag).toContain(`nonce="${nonce}"`);
  // …and so does every script in the live document (the browser hides it from getAttribute).
  const documentNonces = await page.evaluate(() => Array.from(document.scripts, (s) => s.nonce));
  expect(documentNonces.length).toBeGreaterThanOrEqual(scriptTags.length);
  expect(new Set(documentNonces)).toEqual(new Set([nonce]));

  // The app runs under the policy without a single violation.
  await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
  expect(await page.evaluate(() => window.__rosterE2eViolations)).toEqual([]);

  // Markup injected into the page cannot run script: inline handlers have no nonce.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML('beforeend', '<img src="/e2e-missing.png" onerror="window.__rosterE2eInjected = true">'),
  );
  await expect.poll(() => page.evaluate(() => window.__rosterE2eViolations?.length)).toBe(1);
  expect(await page.evaluate(() => window.__rosterE2eViolations?.[0])).toMatch(/^script-src-attr inline$/);
  expect(await page.evaluate(() => window.__rosterE2eInjected)).toBeUndefined();

  // A fresh nonce for every response.
  const again = directives((await page.request.get('/')).headers()['content-security-policy'] ?? '');
  const nonceAgain = again.get('script-src')?.find((v) => v.startsWith("'nonce-"));
  expect(nonceAgain).toBeDefined();
  expect(nonceAgain).not.toBe(`'nonce-${nonce}'`);
});

test('API responses get a policy that allows nothing at all', async ({ api }) => {
  for (const path of ['/api/users', '/api/health']) {
    const headers = (await api.get(path)).headers();
    expect(headers['content-security-policy'], path).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(headers['x-content-type-options'], path).toBe('nosniff');
  }
});
