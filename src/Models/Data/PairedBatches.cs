namespace SparseCore.Models.Data;

/// <summary>
/// Two loaders over the same images zipped into one step sequence — first's batch i, then
/// second's batch i, for i up to the shorter one — as VPNs' code iterates: a prompted clean batch
/// and an unprompted augmented one per iteration. Step 2i of an epoch is always from
/// <see cref="First"/> and step 2i+1 from <see cref="Second"/>, which is how a training hook tells
/// them apart. The loaders keep their own seeds (they shuffle independently, as the code's two
/// loaders do); <see cref="Seed"/> is the first's.
/// </summary>
public sealed class PairedBatches : IBatchSource
{
    public PairedBatches(DataLoader first, DataLoader second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (ReferenceEquals(first, second)) throw new ArgumentException("PairedBatches: the two loaders must be distinct (their batch buffers are reused)");
        First = first;
        Second = second;
    }

    public DataLoader First { get; }
    public DataLoader Second { get; }

    public int BatchCount => 2 * Math.Min(First.BatchCount, Second.BatchCount);

    public long Seed => First.Seed;

    /// <summary>Whether step <paramref name="step"/> (0-based, within an epoch) is the first loader's.</summary>
    public static bool IsFirst(int step) => step % 2 == 0;

    public IEnumerable<Batch> Epoch(int epoch)
    {
        using var a = First.Epoch(epoch).GetEnumerator();
        using var b = Second.Epoch(epoch).GetEnumerator();
        while (a.MoveNext() && b.MoveNext())
        {
            yield return a.Current;
            yield return b.Current;
        }
    }
}
