/**
 * Orbit from a typed Apollo Client 4: register, create a list, subscribe to its changes over
 * graphql-ws, create a task and receive the event. Run against a started server:
 *   ORBIT_URL=http://localhost:4000/graphql npm start
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from './gql/index.js';

const url = process.env.ORBIT_URL ?? 'http://localhost:4000/graphql';

const Register = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      accessTokenExpiresAt
      user {
        id
        email
      }
    }
  }
`);
const CreateList = graphql(`
  mutation CreateList($name: String!) {
    createTaskList(input: { name: $name }) {
      id
      name
      createdAt
    }
  }
`);
const CreateTask = graphql(`
  mutation CreateTask($listId: ID!, $title: String!) {
    createTask(input: { listId: $listId, title: $title }) {
      id
      title
    }
  }
`);
const ListChanged = graphql(`
  subscription ListChanged($listId: ID!) {
    taskListChanged(listId: $listId) {
      kind
      taskId
      task {
        title
      }
    }
  }
`);

/** HTTP for queries and mutations, graphql-ws for subscriptions, both with the access token. */
function connect(token: string | null) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const http = new HttpLink({ uri: url, headers });
  const ws = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    // 4401: bad credentials; retrying would not help (4403, an expired token, would).
    shouldRetry: (event) => (event as { code?: number }).code !== 4401,
  });
  const link = ApolloLink.split(
    ({ query }) => {
      const main = getMainDefinition(query);
      return main.kind === 'OperationDefinition' && main.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), ws };
}

const anonymous = connect(null);
const email = `example-${Date.now()}@example.com`;
const registered = await anonymous.client.mutate({
  mutation: Register,
  variables: { input: { email, password: 'an-example-passphrase-42', name: 'Example' } },
});
const session = registered.data!.register;
const expires: string = session.accessTokenExpiresAt; // DateTime is a string, as codegen maps it
await anonymous.ws.dispose();
console.log(`registered ${session.user.email} (token until ${expires})`);

const { client, ws } = connect(session.accessToken);
const list = (await client.mutate({ mutation: CreateList, variables: { name: 'Example list' } })).data!.createTaskList;

const received = new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no event within 15 s')), 15_000);
  const sub = client.subscribe({ query: ListChanged, variables: { listId: list.id } }).subscribe({
    next: ({ data }) => {
      const change = data?.taskListChanged;
      if (!change) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(`${change.kind} ${change.task?.title ?? change.taskId}`);
    },
    error: reject,
  });
});
// Create tasks until the subscription has started and one event has arrived.
let created = 0;
const creating = setInterval(() => {
  created += 1;
  void client.mutate({ mutation: CreateTask, variables: { listId: list.id, title: `Task ${created}` } });
}, 200);
try {
  console.log(`event: ${await received}`);
} finally {
  clearInterval(creating);
  await ws.dispose();
  client.stop();
}
