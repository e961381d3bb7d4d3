using SparseCore.Models.Data;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// The prune run's data: the training split (all of it, or its --train-subset lowest-numbered images,
/// for dense training and stage 2; the --search-subset lowest-numbered of those for stage 1 and
/// slimming — DataSplit returns the training indices in ascending order), the validation split every
/// choice is made on, and the test set read once per network at the end. Evaluation runs at the
/// training batch size, so it reuses the pooled buffers of the training step's shapes.
/// <para>
/// The validation split is the dense network's own when its checkpoint records one, so that a seed
/// sweep over one dense network never validates on images that network was trained on; otherwise
/// --validation images drawn by --seed.
/// </para>
/// </summary>
public sealed class PruneData : IDisposable
{
    /// <param name="denseSplit">The split the dense checkpoint records; null when it records none or the dense network is trained here.</param>
    /// <param name="denseSource">That checkpoint's path, for messages.</param>
    public PruneData(PruneOptions s, ImageDataset train, ImageDataset test, ValidationSplit? denseSplit = null, string? denseSource = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        Train = train ?? throw new ArgumentNullException(nameof(train));
        Test = test ?? throw new ArgumentNullException(nameof(test));
        Split = denseSplit ?? ValidationSplit.For(Train.Count, s.Validation, (long)s.Seed);
        if (denseSplit is not null)
        {
            if (denseSplit.Of != Train.Count)
                throw new ArgumentException($"--data: {denseSource} was trained on a training set of {denseSplit.Of} images, {s.Data} has {Train.Count}");
            if (s.Validation is int asked && asked != denseSplit.Count)
                throw new ArgumentException($"--validation {asked}: {denseSource} held out {denseSplit.Count} images (seed {denseSplit.Seed}), and pruning validates on " +
                                            "that same split so that no validation image was trained on; leave --validation out");
        }
        var (trainIndices, validation) = Split.Draw();
        TrainIndices = s.TrainSubset > 0 ? trainIndices[..Math.Min(s.TrainSubset, trainIndices.Length)] : trainIndices;
        SearchIndices = s.SearchSubset > 0 ? TrainIndices[..Math.Min(s.SearchSubset, TrainIndices.Length)] : TrainIndices;
        ValidationLoader = validation.Length > 0 ? new DataLoader(Train, s.BatchSize, shuffle: false, indices: validation) : null;
        TestLoader = new DataLoader(Test, s.BatchSize, shuffle: false);
    }

    public ImageDataset Train { get; }
    public ImageDataset Test { get; }
    public ValidationSplit Split { get; }
    public int[] TrainIndices { get; }
    public int[] SearchIndices { get; }
    public DataLoader? ValidationLoader { get; }
    public DataLoader TestLoader { get; }

    /// <summary>
    /// The training augmentation of every prune stage that augments: a random crop of the image
    /// padded by 2 px, and a horizontal flip.
    /// </summary>
    public AugmentPipeline Augmentation() => new(new RandomCrop(Train.Height, Train.Width, padding: 2), new HorizontalFlip());

    public DataLoader Loader(int[] indices, int batchSize, long seed, AugmentPipeline? augment = null) =>
        new(Train, batchSize, shuffle: true, seed: seed, indices: indices, augment: augment);

    public void Dispose()
    {
        ValidationLoader?.Dispose();
        TestLoader.Dispose();
    }
}
