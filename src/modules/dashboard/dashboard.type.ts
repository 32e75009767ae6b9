import { ObjectType } from 'type-graphql';

/** The root of `dashboard`: its fields are resolved from the viewer, each in a bounded number of statements. */
@ObjectType({
  description:
    "Counts in the user's timezone: due today = due during today; overdue = due before today; both only open tasks (TODO, IN_PROGRESS) in lists the user can see",
})
export class Dashboard {}
