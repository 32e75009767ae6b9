import { randomBytes } from 'node:crypto';

export interface GqlOptions {
  token?: string | null;
  headers?: Record<string, string>;
}
export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
}
export interface GqlResponse<T = any> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: GqlError[];
}
export interface Account {
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  userId: string;
  /** When the tokens were issued (Date.now()). */
  issuedAt: number;
}

export interface GqlClient {
  endpoint: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: GqlOptions): Promise<GqlResponse<T>>;
  /** Asserts there is no error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, opts?: GqlOptions): Promise<T>;
  /** Asserts there is an error and returns the first one. */
  fail(query: string, variables?: Record<string, unknown>, opts?: GqlOptions): Promise<GqlError>;
  register(
    fields?: Partial<{ email: string; password: string; username: string; name: string; timezone: string }>,
  ): Promise<Account>;
}

export const PASSWORD = 'orbit-test-Pa55word!';
export const uniqueEmail = (tag = 'user') => `${tag}-${randomBytes(5).toString('hex')}@example.com`;

export function createClient(endpoint: string): GqlClient {
  const gql: GqlClient['gql'] = async (query, variables, opts = {}) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: any; errors?: GqlError[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ message: text }] };
    }
    return { status: res.status, headers: res.headers, data: body.data ?? undefined, errors: body.errors };
  };
  const client: GqlClient = {
    endpoint,
    gql,
    async ok(query, variables, opts) {
      const res = await gql(query, variables, opts);
      if (res.errors?.length || res.status !== 200) {
        throw new Error(`expected success, got ${res.status}: ${JSON.stringify(res.errors)}`);
      }
      return res.data;
    },
    async fail(query, variables, opts) {
      const res = await gql(query, variables, opts);
      if (!res.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(res.data)}`);
      return res.errors[0]!;
    },
    async register(fields = {}) {
      const started = Date.now();
      const email = fields.email ?? uniqueEmail();
      const password = fields.password ?? PASSWORD;
      const data = await client.ok(
        `mutation R($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`,
        { input: { ...fields, email, password } },
      );
      return {
        email,
        password,
        token: data.register.accessToken,
        refreshToken: data.register.refreshToken,
        userId: data.register.user.id,
        issuedAt: started,
      };
    },
  };
  return client;
}
