/**
 * The quick-add grammar's table: every example of the contract's header, the forms it names, and the
 * mistakes other capture tools' users reported (titles read as dates). The clock is Thursday
 * 3 December 2026, 10:00 in New York. Used by tests/unit/quick-add.test.ts and `npm run bench -- capture`.
 */
export const zone = 'America/New_York';
export const now = new Date('2026-12-03T15:00:00Z');
export const names = {
  lists: [
    { id: 'L-home', name: 'Home stuff' },
    { id: 'L-work', name: 'Work' },
    { id: 'L-groc', name: 'Groceries' },
  ],
  projects: [
    { id: 'P-reno', name: 'Renovation' },
    { id: 'P-q1', name: 'Q1 Launch' },
  ],
  labels: [
    { id: 'T-errand', name: 'errand' },
    { id: 'T-phone', name: 'phone' },
    { id: 'T-deep', name: 'Deep work' },
  ],
};

export interface Row {
  title: string;
  /** Local to the zone: YYYY-MM-DD (all day) or YYYY-MM-DDTHH:MM. */
  due?: string;
  list?: string;
  project?: string;
  labels?: string[];
  priority?: string;
  notes?: string;
  unknown?: string[];
}

export const table: [string, Row][] = [
  // The header's own examples and the reported mistakes: no date.
  ['The 5th Wave', { title: 'The 5th Wave' }],
  ['Move old monitor to attic', { title: 'Move old monitor to attic' }],
  ['paprika', { title: 'paprika' }],
  ['Delete mails up to "january 30th"', { title: 'Delete mails up to "january 30th"' }],
  ['Buy paprika and april onions', { title: 'Buy paprika and april onions' }],
  ['Read chapter 3', { title: 'Read chapter 3' }],
  ['Call mom at 5', { title: 'Call mom at 5' }],
  ['Finish the 2nd draft', { title: 'Finish the 2nd draft' }],
  ['Plan march', { title: 'Plan march' }],
  ['May the force be with you', { title: 'May the force be with you' }],
  ['Mon standup notes', { title: 'Mon standup notes' }],
  ['I sat down with Sue', { title: 'I sat down with Sue' }],
  ['Buy 12/5 tickets', { title: 'Buy 12/5 tickets' }],
  ['Watch "Friday Night Lights" season 2', { title: 'Watch "Friday Night Lights" season 2' }],
  ['Fix bug #4521', { title: 'Fix bug #4521' }],
  ['Vote +1 on the RFC', { title: 'Vote +1 on the RFC' }],
  ['See https://example.com/a//b', { title: 'See https://example.com/a//b' }],
  ['Catch-22 review', { title: 'Catch-22 review' }],
  ['Order 5 pizzas for 20 people', { title: 'Order 5 pizzas for 20 people' }],
  ['Sunday', { title: 'Sunday', due: '2026-12-06' }],
  ['Meeting on the 5th', { title: 'Meeting on the 5th' }],
  ['Check oven in 2 hours', { title: 'Check oven', due: '2026-12-03T12:00' }],
  ['Update résumé tomorrow @ERRAND', { title: 'Update résumé', due: '2026-12-04', labels: ['T-errand'] }],
  ['Trash out tonight', { title: 'Trash out', due: '2026-12-03' }],
  // Dates the header names.
  ['Buy milk today', { title: 'Buy milk', due: '2026-12-03' }],
  ['Please be home Friday.', { title: 'Please be home.', due: '2026-12-04' }],
  ['Ask Bob, tomorrow, about it', { title: 'Ask Bob, about it', due: '2026-12-04' }],
  ['Buy milk tomorrow', { title: 'Buy milk', due: '2026-12-04' }],
  ['Pay rent on friday', { title: 'Pay rent', due: '2026-12-04' }],
  ['Pay rent friday', { title: 'Pay rent', due: '2026-12-04' }],
  ['Review next thursday', { title: 'Review', due: '2026-12-10' }],
  ['Team lunch next monday', { title: 'Team lunch', due: '2026-12-07' }],
  ['Water plants on thu', { title: 'Water plants', due: '2026-12-10' }],
  ['Renew passport in 3 days', { title: 'Renew passport', due: '2026-12-06' }],
  ['Dentist in 2 weeks', { title: 'Dentist', due: '2026-12-17' }],
  ['Report 2026-12-05', { title: 'Report', due: '2026-12-05' }],
  ['Taxes 2027-04-15', { title: 'Taxes', due: '2027-04-15' }],
  ['Party Dec 5', { title: 'Party', due: '2026-12-05' }],
  ['Party 5 December', { title: 'Party', due: '2026-12-05' }],
  ['Party 5 December 2027', { title: 'Party', due: '2027-12-05' }],
  ['Anniversary Dec 3', { title: 'Anniversary', due: '2026-12-03' }],
  ['Birthday Nov 30', { title: 'Birthday', due: '2027-11-30' }],
  ['Call Bob at 17:00', { title: 'Call Bob', due: '2026-12-03T17:00' }],
  ['Call Bob at 5pm', { title: 'Call Bob', due: '2026-12-03T17:00' }],
  ['Gym 5pm', { title: 'Gym', due: '2026-12-03T17:00' }],
  ['Coffee 9am', { title: 'Coffee', due: '2026-12-04T09:00' }],
  ['Standup at 09:30', { title: 'Standup', due: '2026-12-04T09:30' }],
  ['Meet Ann tomorrow at 3pm', { title: 'Meet Ann', due: '2026-12-04T15:00' }],
  ['Submit form by monday', { title: 'Submit form', due: '2026-12-07' }],
  ['Submit form due tomorrow', { title: 'Submit form', due: '2026-12-04' }],
  ['Lunch at noon', { title: 'Lunch', due: '2026-12-03T12:00' }],
  ['Dinner Dec 24 at 7pm', { title: 'Dinner', due: '2026-12-24T19:00' }],
  // Names, priorities and notes.
  ['Milk #groceries', { title: 'Milk', list: 'L-groc' }],
  ['Fix sink #"Home stuff"', { title: 'Fix sink', list: 'L-home' }],
  ['Paint walls +renovation', { title: 'Paint walls', project: 'P-reno' }],
  ['Launch plan +"Q1 Launch" #work', { title: 'Launch plan', project: 'P-q1', list: 'L-work' }],
  ['Call plumber @phone @errand', { title: 'Call plumber', labels: ['T-phone', 'T-errand'] }],
  ['Write spec @"deep work" p2', { title: 'Write spec', labels: ['T-deep'], priority: 'HIGH' }],
  ['Fire drill p1', { title: 'Fire drill', priority: 'URGENT' }],
  ['Tidy desk P4', { title: 'Tidy desk', priority: 'LOW' }],
  ['Sort photos p3 p1', { title: 'Sort photos p1', priority: 'MEDIUM' }],
  [
    'Buy gift #shopping +xmas @gifts',
    { title: 'Buy gift #shopping +xmas @gifts', unknown: ['#shopping', '+xmas', '@gifts'] },
  ],
  ['Call Sam // ask about the lease', { title: 'Call Sam', notes: 'ask about the lease' }],
  ['// just a note', { title: '// just a note', notes: 'just a note' }],
  ['Email "a // b" to Jo', { title: 'Email "a // b" to Jo' }],
  [
    'Send invoice tomorrow 5pm #work p1 @phone // net 30',
    {
      title: 'Send invoice',
      due: '2026-12-04T17:00',
      list: 'L-work',
      priority: 'URGENT',
      labels: ['T-phone'],
      notes: 'net 30',
    },
  ],
  ['Book "Dec 5" venue Dec 6', { title: 'Book "Dec 5" venue', due: '2026-12-06' }],
  [
    'Renovate kitchen +Renovation Dec 12 p2',
    { title: 'Renovate kitchen', project: 'P-reno', due: '2026-12-12', priority: 'HIGH' },
  ],
];
