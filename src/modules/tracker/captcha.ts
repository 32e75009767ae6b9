import type { Config } from '../../shared/config.js';
import { InputError } from '../../shared/errors.js';

/**
 * Checks a CAPTCHA token with the provider's siteverify endpoint (the protocol hCaptcha, Cloudflare
 * Turnstile and reCAPTCHA share: a form POST of secret, response and remoteip; JSON `success`).
 * A missing or refused token, or a provider that does not answer in 5 s, is BAD_USER_INPUT.
 */
export async function verifyCaptcha(config: Config, token: string | null | undefined, ip: string): Promise<void> {
  const refused = () => new InputError({ captchaToken: 'The CAPTCHA was not solved; try again' });
  if (!token || token.length > 4096) throw refused();
  const body = new URLSearchParams({ secret: config.CAPTCHA_SECRET ?? '', response: token, remoteip: ip });
  let ok = false;
  try {
    const res = await fetch(config.CAPTCHA_VERIFY_URL!, { method: 'POST', body, signal: AbortSignal.timeout(5_000) });
    ok = res.ok && ((await res.json()) as { success?: unknown }).success === true;
  } catch {
    ok = false;
  }
  if (!ok) throw refused();
}
