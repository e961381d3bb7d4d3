namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Items [0, count) dealt to the team's threads as contiguous ranges, one each: a thread takes its
/// own range from the front, then the others' from their backs. Why both halves: the VM's two vCPUs
/// run at different speeds from moment to moment (in one run a ResNet-20 forward's share took 20 %
/// longer on one than on the other, in the next the other way round), so a fixed deal left the
/// faster one waiting at the end of every call; but handing out items one by one to whoever asks
/// was slower still (the extracted PASS network's forward 8 % in paired blocks), because a thread
/// then rarely computes the images whose previous layer it wrote, and reads them from the other
/// core's cache. Owning a range keeps that affinity; taking from the others' backs only at the end
/// balances the call. Which thread computes an item never changes the item's arithmetic.
/// </summary>
internal sealed class StealingRanges
{
    // Longs per range: each range's state on its own cache line, so the owners' takes do not contend.
    private const int Stride = 8;

    // Range r: (front << 32) | back, front the next item its owner takes, back one past the last.
    private readonly long[] state;
    private readonly int ranges;

    public StealingRanges(int count, int ranges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranges, 1);
        this.ranges = ranges;
        state = new long[ranges * Stride];
        for (int r = 0; r < ranges; r++)
            state[r * Stride] = Pack((int)((long)count * r / ranges), (int)((long)count * (r + 1) / ranges));
    }

    /// <summary>The next item for the owner of range <paramref name="owner"/>: its own front, else another range's back.</summary>
    public bool TryTake(int owner, out int item)
    {
        if (TryTake(owner, fromFront: true, out item)) return true;
        for (int i = 1; i < ranges; i++)
            if (TryTake((owner + i) % ranges, fromFront: false, out item)) return true;
        return false;
    }

    private bool TryTake(int range, bool fromFront, out int item)
    {
        ref long slot = ref state[range * Stride];
        while (true)
        {
            long s = Volatile.Read(ref slot);
            int front = (int)(s >> 32), back = (int)s;
            if (front >= back)
            {
                item = -1;
                return false;
            }
            long taken = fromFront ? Pack(front + 1, back) : Pack(front, back - 1);
            if (Interlocked.CompareExchange(ref slot, taken, s) == s)
            {
                item = fromFront ? front : back - 1;
                return true;
            }
        }
    }

    private static long Pack(int front, int back) => ((long)front << 32) | (uint)back;
}
