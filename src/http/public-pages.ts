import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../modules/index.js';
import { AppError } from '../shared/errors.js';
import { type FormValues, confirmPage, formPage, messagePage, receivedPage, ticketPage } from './public-html.js';

type Form = Record<string, string | undefined>;

/**
 * The pages anonymous visitors use, without JavaScript: a board's request form (GET shows it, a
 * plain form POST submits it through the same service and rules as submitPublicTicket) and a
 * requester's ticket page (confirm, read the public conversation, reply). Each response has its own
 * CSP: no script at all, the one style element by nonce, forms posting to this server only.
 */
export function registerPublicPages(fastify: FastifyInstance, services: Services): void {
  void fastify.register((scope, _opts, done) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, parsed) => {
        parsed(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );

    const html = (reply: FastifyReply, status: number, render: (nonce: string) => string) => {
      const nonce = randomBytes(16).toString('base64');
      return reply
        .code(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-security-policy',
          `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
        )
        .send(render(nonce));
    };
    /** NOT_FOUND and RATE_LIMITED as pages; any other error goes to the server's handler. */
    const failure = (reply: FastifyReply, error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      if (code === 'NOT_FOUND')
        return html(reply, 404, (n) => messagePage(n, 'Not found', 'This link does not lead anywhere (any more).'));
      if (code === 'RATE_LIMITED') {
        const wait = Number(error.extensions.retryAfter ?? 60);
        void reply.header('retry-after', String(wait));
        return html(reply, 429, (n) =>
          messagePage(n, 'Too many requests', `Please try again in ${Math.ceil(wait / 60)} minute(s).`),
        );
      }
      return null;
    };

    scope.get<{ Params: { slug: string } }>('/public/forms/:slug', async (request, reply) => {
      try {
        const { form, board } = await services.publicForms.open(request.params.slug);
        return html(reply, 200, (n) => formPage(n, { boardName: board.name, intro: form.intro }, request.url));
      } catch (error) {
        return failure(reply, error) ?? reply.code(500).send();
      }
    });

    scope.post<{ Params: { slug: string }; Body: Form | undefined }>('/public/forms/:slug', async (request, reply) => {
      const body = request.body ?? {};
      const values: FormValues = { name: body.name, email: body.email, title: body.title, body: body.body };
      try {
        const { form, board } = await services.publicForms.open(request.params.slug);
        try {
          const receipt = await services.publicForms.submit(
            {
              slug: request.params.slug,
              name: body.name,
              email: body.email ?? '',
              title: body.title ?? '',
              body: body.body ?? '',
              website: body.website,
            },
            request.ip,
          );
          return html(reply, 200, (n) => receivedPage(n, board.name, receipt.confirmationRequired));
        } catch (error) {
          if (error instanceof AppError && error.extensions.code === 'BAD_USER_INPUT') {
            const fields = (error.extensions.fields ?? {}) as Record<string, string>;
            return html(reply, 400, (n) =>
              formPage(n, { boardName: board.name, intro: form.intro }, request.url, values, fields),
            );
          }
          throw error;
        }
      } catch (error) {
        return failure(reply, error) ?? reply.code(500).send();
      }
    });

    const ticketUrl = (token: string) => `/public/tickets/${encodeURIComponent(token)}`;

    scope.get<{ Params: { token: string } }>('/public/tickets/:token', async (request, reply) => {
      try {
        const { token } = request.params;
        const { view } = await services.publicTickets.peek(token, request.ip);
        if (!view) return html(reply, 200, (n) => confirmPage(n, `${ticketUrl(token)}/confirm`));
        return html(reply, 200, (n) => ticketPage(n, view, `${ticketUrl(token)}/reply`));
      } catch (error) {
        return failure(reply, error) ?? reply.code(500).send();
      }
    });

    scope.post<{ Params: { token: string } }>('/public/tickets/:token/confirm', async (request, reply) => {
      try {
        const { token } = request.params;
        const view = await services.publicTickets.confirm(token, request.ip);
        return html(reply, 200, (n) => ticketPage(n, view, `${ticketUrl(token)}/reply`));
      } catch (error) {
        return failure(reply, error) ?? reply.code(500).send();
      }
    });

    scope.post<{ Params: { token: string }; Body: Form | undefined }>(
      '/public/tickets/:token/reply',
      async (request, reply) => {
        const { token } = request.params;
        try {
          const view = await services.publicTickets.reply(token, request.body?.body ?? '', request.ip);
          return html(reply, 200, (n) => ticketPage(n, view, `${ticketUrl(token)}/reply`));
        } catch (error) {
          if (error instanceof AppError && error.extensions.code === 'BAD_USER_INPUT') {
            const view = await services.publicTickets.view(token, request.ip);
            return html(reply, 400, (n) =>
              ticketPage(n, view, `${ticketUrl(token)}/reply`, 'Write a reply of 1 to 20000 characters.'),
            );
          }
          return failure(reply, error) ?? reply.code(500).send();
        }
      },
    );
    done();
  });
}
