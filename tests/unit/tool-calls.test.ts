import { describe, expect, it } from 'vitest';
import { ToolCallAccumulator } from '../../src/modules/assistant/provider/tool-calls.js';

const finish = (acc: ToolCallAccumulator) =>
  acc.finish((n) => `made_${n}`).map((c) => [c.id, c.function.name, c.function.arguments]);

describe('ToolCallAccumulator', () => {
  it('joins pieces by index even when their ids are missing after the first', () => {
    const acc = new ToolCallAccumulator();
    acc.add({ index: 0, id: 'a', name: 'create_task', arguments: '' });
    acc.add({ index: 1, id: 'b', name: 'search_tasks', arguments: '{"qu' });
    acc.add({ index: 0, arguments: '{"title":' });
    acc.add({ index: 1, arguments: 'ery":"x"}' });
    acc.add({ index: 0, arguments: '"t"}' });
    expect(finish(acc)).toEqual([
      ['a', 'create_task', '{"title":"t"}'],
      ['b', 'search_tasks', '{"query":"x"}'],
    ]);
  });

  it('without index: by id when given, else the open call; a new id starts a new call', () => {
    const acc = new ToolCallAccumulator();
    acc.add({ id: 'a', name: 'create_task' });
    acc.add({ arguments: '{"a":' });
    acc.add({ id: 'b', name: 'delete_task', arguments: '{"taskId":' });
    acc.add({ id: 'a', arguments: '1}' });
    acc.add({ arguments: '"t"}' });
    expect(finish(acc)).toEqual([
      ['a', 'create_task', '{"a":1}'],
      ['b', 'delete_task', '{"taskId":"t"}'],
    ]);
  });

  it('gives calls without an id one, and keeps a name repeated in every chunk once', () => {
    const acc = new ToolCallAccumulator();
    acc.add({ index: 0, name: 'search_tasks', arguments: '{}' });
    acc.add({ index: 0, name: 'search_tasks' });
    expect(finish(acc)).toEqual([['made_0', 'search_tasks', '{}']]);
  });
});
