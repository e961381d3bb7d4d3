using SparseCore.Models.Data;

namespace SparseCore.Cli;

/// <summary>Resolves --data: a dataset name (fashion-mnist, synthetic), or a folder of IDX or CIFAR binary files.</summary>
internal static class DataSource
{
    public const string Names = "fashion-mnist, synthetic";

    public static (ImageDataset Train, ImageDataset Test) Load(string data, long seed) => (Load(data, seed, train: true), LoadTest(data, seed));

    /// <summary>The test set alone: what evaluation needs, so it works where only the test files exist.</summary>
    public static ImageDataset LoadTest(string data, long seed) => Load(data, seed, train: false);

    private static ImageDataset Load(string data, long seed, bool train)
    {
        if (data == "synthetic")
        {
            // Fashion-MNIST-shaped, learnable, and made from the seed alone: for trying a backbone
            // or a GPU machine without the dataset.
            return train ? SyntheticDataset.Create(6000, 1, 28, 28, 10, seed) : SyntheticDataset.Create(1000, 1, 28, 28, 10, seed + 1);
        }
        string folder = data switch
        {
            "fashion-mnist" => FashionMnist.DefaultFolder,
            _ when Directory.Exists(data) => data,
            _ => throw new ArgumentException($"--data: '{data}' is neither a known dataset ({Names}) nor a folder"),
        };
        return DataFolder.Load(folder, train);
    }
}
