using SparseCore.Models.Data;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// The prune run's data: the training split (all of it, or its first --train-subset images, for
/// dense training and stage 2; the first --search-subset
/// images of its seeded order for stage 1 and slimming), the validation split every choice is made
/// on, and the test set read once per network at the end.
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
        ValidationLoader = validation.Length > 0 ? new DataLoader(Train, 500, shuffle: false, indices: validation) : null;
        TestLoader = new DataLoader(Test, 500, shuffle: false);
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
