namespace SparseCore.Models.Data;

/// <summary>
/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test grey-scale 28×28 images of 10 clothing
/// classes, in the same IDX format and file names as MNIST.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    public const int ClassCount = 10;
    public const int ImageSize = 28;

    /// <summary>Class names in label order, as the data set's authors publish them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    public static ImageDataset Load(bool train) => Load(DefaultFolder, train);

    /// <summary>
    /// Loads the training (60k) or test (10k) split from <paramref name="folder"/>, accepting either
    /// the gzipped file names as distributed or the same names decompressed.
    /// </summary>
    public static ImageDataset Load(string folder, bool train)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new DataFormatException(folder, "folder",
                "Fashion-MNIST folder not found; install it with `apt-get install dataset-fashion-mnist` " +
                "(files go to " + DefaultFolder + ") or pass `--data PATH` pointing at a folder with the IDX files");

        string prefix = train ? "train" : "t10k";
        string images = FindFile(folder, $"{prefix}-images-idx3-ubyte");
        string labels = FindFile(folder, $"{prefix}-labels-idx1-ubyte");
        return IdxDataset.Load(images, labels, ClassCount, ClassNames);
    }

    private static string FindFile(string folder, string name)
    {
        // The gzipped name first: that is what the package and the upstream site ship.
        string gz = Path.Combine(folder, name + ".gz");
        if (File.Exists(gz))
            return gz;
        string raw = Path.Combine(folder, name);
        if (File.Exists(raw))
            return raw;
        throw new DataFormatException(gz, "file",
            $"not found (nor {name}); the folder {folder} does not hold Fashion-MNIST. " +
            "Install it with `apt-get install dataset-fashion-mnist` or pass `--data PATH`");
    }
}
