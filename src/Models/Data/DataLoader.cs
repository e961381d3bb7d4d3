namespace SparseCore.Models.Data;

/// <summary>
/// Iterates an <see cref="ImageDataset"/> (or a subset of its indices) in mini-batches.
/// <para>
/// Order: with shuffling, epoch e visits the indices in a permutation determined only by
/// (seed, e), so a run is reproducible from its seed and resuming at epoch e sees the same order
/// as an uninterrupted run. Without shuffling, the indices are visited as given.
/// </para>
/// <para>
/// Augmentation: an optional <see cref="AugmentPipeline"/> transforms each sample while its batch
/// is prepared (in the background), keyed by (seed, epoch, dataset index), so augmented batches
/// are as reproducible as the order.
/// </para>
/// <para>
/// Buffers: two <see cref="Batch"/> objects are reused for the loader's whole life (double
/// buffering): while the caller trains on one, the next is filled in the background. A yielded
/// batch is therefore valid only until the enumerator advances, and only one epoch may be
/// enumerated at a time.
/// </para>
/// </summary>
public sealed class DataLoader : IBatchSource, IDisposable
{
    private readonly ImageDataset _dataset;
    private readonly int[] _indices;
    private readonly int[] _order;
    private readonly Batch[] _buffers;
    private readonly BatchPrefetcher? _prefetcher;
    private readonly AugmentPipeline? _augment;
    private int _epoch;
    private int _active;
    private bool _disposed;

    /// <param name="dataset">The images to batch.</param>
    /// <param name="batchSize">Images per batch (the last one may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Visit the indices in a fresh seeded permutation each epoch.</param>
    /// <param name="seed">Seed of the per-epoch permutations.</param>
    /// <param name="dropLast">Skip an epoch's final partial batch (keeps every batch the same size).</param>
    /// <param name="indices">Only these dataset indices (e.g. a training or validation split); all if null.</param>
    /// <param name="prefetch">Prepare the next batch on a background thread; false fills on the caller's thread.</param>
    /// <param name="augment">Transforms applied to every sample (random ones seeded by <paramref name="seed"/>); none if null.</param>
    public DataLoader(ImageDataset dataset, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false,
        IReadOnlyList<int>? indices = null, bool prefetch = true, AugmentPipeline? augment = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        if (indices is null)
        {
            _indices = new int[dataset.Count];
            for (int i = 0; i < _indices.Length; i++)
                _indices[i] = i;
        }
        else
        {
            _indices = new int[indices.Count];
            for (int i = 0; i < _indices.Length; i++)
            {
                int index = indices[i];
                if ((uint)index >= (uint)dataset.Count)
                    throw new ArgumentOutOfRangeException(nameof(indices), index,
                        $"indices[{i}] = {index} is outside the dataset's [0, {dataset.Count})");
                _indices[i] = index;
            }
        }

        _dataset = dataset;
        _augment = augment;
        SampleShape = augment?.OutputShape(dataset.Channels, dataset.Height, dataset.Width)
                      ?? (dataset.Channels, dataset.Height, dataset.Width);
        _order = new int[_indices.Length];
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        BatchCount = dropLast ? _indices.Length / batchSize : (_indices.Length + batchSize - 1) / batchSize;

        // A batch never needs more rows than there are samples; don't allocate 512 rows for 10 images.
        int capacity = Math.Max(1, Math.Min(batchSize, _indices.Length));
        _buffers = prefetch
            ? [NewBatch(capacity), NewBatch(capacity)]
            : [NewBatch(capacity)];
        _prefetcher = prefetch ? new BatchPrefetcher(Fill) : null;
    }

    public ImageDataset Dataset => _dataset;
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public long Seed { get; }
    public bool DropLast { get; }
    public bool Prefetch => _prefetcher is not null;
    public AugmentPipeline? Augment => _augment;

    /// <summary>The shape of a batch's images: the dataset's, or the augmentation's output.</summary>
    public (int Channels, int Height, int Width) SampleShape { get; }

    /// <summary>Samples the loader draws from (the subset size, or the dataset size).</summary>
    public int SampleCount => _indices.Length;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them (a copy).</summary>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = new int[_indices.Length];
        FillOrder(order, epoch);
        return order;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>. Each yielded <see cref="Batch"/> is reused:
    /// its contents change when the enumeration advances.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Run(epoch);
    }

    private IEnumerable<Batch> Run(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _active, 1) != 0)
            throw new InvalidOperationException(
                "another epoch of this loader is still being enumerated; its batch buffers are shared, " +
                "so finish or dispose that enumeration first");
        try
        {
            FillOrder(_order, epoch);
            _epoch = epoch; // read by fills on the prefetch thread; Start's lock publishes it
            if (_prefetcher is null)
            {
                for (int b = 0; b < BatchCount; b++)
                {
                    Fill(_buffers[0], b);
                    yield return _buffers[0];
                }
                yield break;
            }

            if (BatchCount > 0)
                Fill(_buffers[0], 0);
            for (int b = 0; b < BatchCount; b++)
            {
                bool more = b + 1 < BatchCount;
                if (more)
                    _prefetcher.Start(_buffers[(b + 1) & 1], b + 1);
                yield return _buffers[b & 1];
                if (more)
                    _prefetcher.Wait();
            }
        }
        finally
        {
            // An abandoned epoch may leave a fill running; let it land before the buffers are reused.
            _prefetcher?.WaitIdle();
            Volatile.Write(ref _active, 0);
        }
    }

    private void FillOrder(Span<int> order, int epoch)
    {
        _indices.CopyTo(order);
        if (Shuffle)
            SeededPermutation.Shuffle(order, Seed, epoch);
    }

    private void Fill(Batch batch, int number)
    {
        int start = number * BatchSize;
        int count = Math.Min(BatchSize, _order.Length - start);
        int size = _dataset.SampleSize, outSize = batch.SampleSize;
        var images = _dataset.Images;
        var labels = _dataset.Labels;
        var x = batch.X.AsSpan();
        for (int j = 0; j < count; j++)
        {
            int index = _order[start + j];
            var image = images.Slice(index * size, size);
            if (_augment is null)
                image.CopyTo(x.Slice(j * size, size));
            else
                _augment.Apply(image, x.Slice(j * outSize, outSize), _dataset.Channels, _dataset.Height, _dataset.Width,
                    Seed, _epoch, index);
            batch.Y[j] = labels[index];
            batch.Indices[j] = index;
        }
        batch.Count = count;
        batch.Number = number;
    }

    private Batch NewBatch(int capacity) =>
        new(capacity, SampleShape.Channels * SampleShape.Height * SampleShape.Width, SampleShape.Channels, SampleShape.Height, SampleShape.Width);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _prefetcher?.Dispose();
    }
}
