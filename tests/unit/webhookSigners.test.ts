/** The web process's copy of an endpoint's signers: at most SIGNERS_TTL_MS old, one read for concurrent requests, a failed read not kept. */
import { createSignerCopies, SIGNERS_TTL_MS, type SignedChannel } from '../../server/domain/channels/webhooks/webhookSigners';

function counted(results: (() => Promise<SignedChannel[]>)[]) {
  let reads = 0;
  const read = () => results[Math.min(reads++, results.length - 1)]!();
  return { read, reads: () => reads };
}
const signer = (id: string) => ({ channel: { id } }) as unknown as SignedChannel;

describe('signer copies', () => {
  it('when requests come within the copy’s lifetime, then the channels are read once, concurrent requests included; after it, read again and said to be fresh', async () => {
    let clock = 1_000;
    const source = counted([async () => [signer('a')], async () => [signer('b')]]);
    const copies = createSignerCopies(source.read, () => clock);
    const first = await Promise.all([copies.current(), copies.current(), copies.current()]);
    expect(first.map((c) => c.signers[0]!.channel.id)).toEqual(['a', 'a', 'a']);
    expect(source.reads()).toBe(1);
    clock += SIGNERS_TTL_MS - 1;
    expect(await copies.current()).toEqual({ signers: [signer('a')], fresh: false });
    clock += 1;
    expect(await copies.current()).toEqual({ signers: [signer('b')], fresh: true });
    expect(source.reads()).toBe(2);
  });

  it('when a read is asked for fresh, then it replaces the copy', async () => {
    const source = counted([async () => [signer('a')], async () => [signer('b')]]);
    const copies = createSignerCopies(source.read, () => 0);
    await copies.current();
    expect((await copies.fresh())[0]!.channel.id).toBe('b');
    expect(await copies.current()).toEqual({ signers: [signer('b')], fresh: false });
  });

  it('when a read fails, then its request fails and the next request reads again', async () => {
    const source = counted([async () => Promise.reject(new Error('database down')), async () => [signer('a')]]);
    const copies = createSignerCopies(source.read, () => 0);
    await expect(copies.current()).rejects.toThrow('database down');
    expect(await copies.current()).toEqual({ signers: [signer('a')], fresh: true });
  });
});
