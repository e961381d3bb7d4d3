namespace SparseCore.Models.Data;

/// <summary>What <c>--data PATH</c> points at: a folder of CIFAR binary files or of MNIST-style IDX files.</summary>
public static class DataFolder
{
    public static ImageDataset Load(string folder, bool train)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Cifar.TryDetect(folder, out _, out _) ? Cifar.Load(folder, train) : FashionMnist.Load(folder, train);
    }
}
