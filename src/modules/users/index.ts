/** Users as others see them: the GraphQL User, its loaders, Role and Tier. Imports no other module. */
export { type PublicUser, Role, Tier, User, UserConnection, type UserRow, publicUserColumns } from './user.type.js';
export { type UserLoaders, createUserLoaders } from './user.loaders.js';
export { UserResolver } from './user.resolver.js';
