namespace SparseCore.Models.Data;

/// <summary>
/// What a training loop draws its batches from: a fixed number of batches per epoch, in an order
/// that is a function of (seed, epoch) so a resumed run sees the same batches. A
/// <see cref="DataLoader"/> is one; <see cref="PairedBatches"/> interleaves two.
/// </summary>
public interface IBatchSource
{
    int BatchCount { get; }

    long Seed { get; }

    /// <summary>The batches of <paramref name="epoch"/>; each is valid until the enumeration moves on.</summary>
    IEnumerable<Batch> Epoch(int epoch);
}
