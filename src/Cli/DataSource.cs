using SparseCore.Models.Data;

namespace SparseCore.Cli;

/// <summary>Resolves --data: a dataset name, or a folder of IDX or CIFAR binary files.</summary>
internal static class DataSource
{
    public static (ImageDataset Train, ImageDataset Test) Load(string data)
    {
        string folder = data switch
        {
            "fashion-mnist" => FashionMnist.DefaultFolder,
            _ when Directory.Exists(data) => data,
            _ => throw new ArgumentException($"--data: '{data}' is neither a known dataset (fashion-mnist) nor a folder"),
        };
        return (DataFolder.Load(folder, train: true), DataFolder.Load(folder, train: false));
    }
}
