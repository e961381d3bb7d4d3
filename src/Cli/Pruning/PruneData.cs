using SparseCore.Models.Data;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// The prune run's data: the training split (all of it, or its --train-subset lowest-numbered images,
/// for dense training and stage 2; the --search-subset lowest-numbered of those for stage 1 and
/// slimming — DataSplit returns the training indices in ascending order), the validation split every
/// choice is made on, and the test set read once per network at the end. Evaluation runs at the
/// training batch size, so it reuses the pooled buffers of the training step's shapes.
/// </summary>
internal sealed class PruneData : IDisposable
{
    public PruneData(PruneSettings s)
    {
        (Train, var test) = DataSource.Load(s.Data, (long)s.Seed);
        Test = test;
        (var train, var validation) = DataSplit.TrainValidation(Train.Count, s.Validation, (long)s.Seed);
        TrainIndices = s.TrainSubset > 0 ? train[..Math.Min(s.TrainSubset, train.Length)] : train;
        SearchIndices = s.SearchSubset > 0 ? TrainIndices[..Math.Min(s.SearchSubset, TrainIndices.Length)] : TrainIndices;
        ValidationLoader = validation.Length > 0 ? new DataLoader(Train, s.BatchSize, shuffle: false, indices: validation) : null;
        TestLoader = new DataLoader(Test, s.BatchSize, shuffle: false);
    }

    public ImageDataset Train { get; }
    public ImageDataset Test { get; }
    public int[] TrainIndices { get; }
    public int[] SearchIndices { get; }
    public DataLoader? ValidationLoader { get; }
    public DataLoader TestLoader { get; }

    public DataLoader Loader(int[] indices, int batchSize, long seed, AugmentPipeline? augment = null) =>
        new(Train, batchSize, shuffle: true, seed: seed, indices: indices, augment: augment);

    public void Dispose()
    {
        ValidationLoader?.Dispose();
        TestLoader.Dispose();
    }
}
