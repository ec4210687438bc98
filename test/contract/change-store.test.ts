import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from './backends.ts';

forEachBackend('ChangeStore', (getStore) => {
  const changes = () => getStore().changes;

  it('reads 0 for a topic never incremented', async () => {
    const topic = randomUUID();
    assert.deepEqual(await changes().findVersions([topic]), { [topic]: 0 });
    assert.deepEqual(await changes().findVersions([]), {});
  });

  it('increments a topic by one each time, apart from other topics', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    assert.equal(await changes().increment(a), 1);
    assert.equal(await changes().increment(a), 2);
    assert.equal(await changes().increment(b), 1);
    assert.deepEqual(await changes().findVersions([a, b]), { [a]: 2, [b]: 1 });
  });

  it('loses no increment under concurrency', async () => {
    const topic = randomUUID();
    const versions = await Promise.all(Array.from({ length: 10 }, () => changes().increment(topic)));
    assert.deepEqual([...versions].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(await changes().findVersions([topic]), { [topic]: 10 });
  });
});
