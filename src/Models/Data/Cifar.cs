namespace SparseCore.Models.Data;

public enum CifarKind
{
    Cifar10,
    Cifar100,
}

/// <summary>
/// The binary CIFAR-10 and CIFAR-100 formats (the "binary version" archives of Krizhevsky's page):
/// fixed-size records of label byte(s) and 3072 pixel bytes, 1024 each of red, green and blue in
/// row-major 32×32 order — already channel-major, so records map straight onto NCHW.
/// <list type="bullet">
/// <item>CIFAR-10 (<c>cifar-10-batches-bin/</c>): 1 label byte + 3072; data_batch_1..5.bin, test_batch.bin.</item>
/// <item>CIFAR-100 (<c>cifar-100-binary/</c>): coarse and fine label bytes + 3072; train.bin, test.bin.</item>
/// </list>
/// </summary>
public static class Cifar
{
    public const int ImageSize = 32;
    public const int Channels = 3;
    public const int PixelBytes = Channels * ImageSize * ImageSize;
    public const int Cifar10RecordSize = 1 + PixelBytes;
    public const int Cifar100RecordSize = 2 + PixelBytes;
    public const int Cifar100CoarseClasses = 20;

    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    public static IReadOnlyList<string> Cifar10TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    public const string Cifar10TestFile = "test_batch.bin";
    public const string Cifar100TrainFile = "train.bin", Cifar100TestFile = "test.bin";

    /// <summary>
    /// Which CIFAR a folder holds: the extracted archive folder itself, or a folder containing
    /// <c>cifar-10-batches-bin</c> / <c>cifar-100-binary</c>. Returns false if neither.
    /// </summary>
    public static bool TryDetect(string folder, out CifarKind kind, out string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        foreach (var candidate in new[] { folder, Path.Combine(folder, "cifar-10-batches-bin"), Path.Combine(folder, "cifar-100-binary") })
        {
            dataFolder = candidate;
            if (File.Exists(Path.Combine(candidate, Cifar10TestFile)) || File.Exists(Path.Combine(candidate, Cifar10TrainFiles[0])))
            {
                kind = CifarKind.Cifar10;
                return true;
            }
            if (File.Exists(Path.Combine(candidate, Cifar100TestFile)) || File.Exists(Path.Combine(candidate, Cifar100TrainFile)))
            {
                kind = CifarKind.Cifar100;
                return true;
            }
        }
        (kind, dataFolder) = (default, folder);
        return false;
    }

    /// <summary>The training (50k) or test (10k) split of the CIFAR in <paramref name="folder"/> (fine labels for CIFAR-100).</summary>
    public static ImageDataset Load(string folder, bool train, bool coarse = false)
    {
        if (!TryDetect(folder, out var kind, out string dataFolder))
            throw new DataFormatException(folder, "folder",
                $"holds no CIFAR binary files (CIFAR-10: {Cifar10TrainFiles[0]} .. {Cifar10TestFile}; " +
                $"CIFAR-100: {Cifar100TrainFile}, {Cifar100TestFile}), nor a cifar-10-batches-bin or cifar-100-binary folder");
        if (kind == CifarKind.Cifar10)
        {
            var files = train ? Cifar10TrainFiles : [Cifar10TestFile];
            return ReadCifar10(files.Select(f => Path.Combine(dataFolder, f)).ToArray());
        }
        return ReadCifar100(Path.Combine(dataFolder, train ? Cifar100TrainFile : Cifar100TestFile), coarse);
    }

    /// <summary>CIFAR-10 batch files, concatenated in the order given.</summary>
    public static ImageDataset ReadCifar10(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
            throw new ArgumentException("Cifar: no CIFAR-10 batch files given");
        var contents = files.Select(f => (Path: f, Bytes: ReadRecords(f, Cifar10RecordSize, "CIFAR-10", "1 label byte"))).ToArray();
        int count = contents.Sum(c => c.Bytes.Length / Cifar10RecordSize);
        var images = GC.AllocateUninitializedArray<float>(checked(count * PixelBytes));
        var labels = new int[count];
        int n = 0;
        foreach (var (path, bytes) in contents)
        {
            for (int r = 0; r < bytes.Length / Cifar10RecordSize; r++, n++)
            {
                var record = bytes.AsSpan(r * Cifar10RecordSize, Cifar10RecordSize);
                labels[n] = Label(path, r, "label", record[0], Cifar10ClassNames.Count);
                ImageDataset.ToUnitRange(record[1..], images.AsSpan(n * PixelBytes, PixelBytes));
            }
        }
        string source = files.Count == 1 ? files[0] : $"{files[0]} (+{files.Count - 1} more)";
        return new ImageDataset(images, labels, Channels, ImageSize, ImageSize, Cifar10ClassNames.Count, source, Cifar10ClassNames);
    }

    /// <summary>A CIFAR-100 file with its fine (100 classes) or coarse (20 superclasses) labels.</summary>
    public static ImageDataset ReadCifar100(string file, bool coarse = false)
    {
        var bytes = ReadRecords(file, Cifar100RecordSize, "CIFAR-100", "2 label bytes");
        int count = bytes.Length / Cifar100RecordSize;
        int classes = coarse ? Cifar100CoarseClasses : 100;
        var images = GC.AllocateUninitializedArray<float>(checked(count * PixelBytes));
        var labels = new int[count];
        for (int r = 0; r < count; r++)
        {
            var record = bytes.AsSpan(r * Cifar100RecordSize, Cifar100RecordSize);
            Label(file, r, "coarse label", record[0], Cifar100CoarseClasses);
            Label(file, r, "fine label", record[1], 100);
            labels[r] = coarse ? record[0] : record[1];
            ImageDataset.ToUnitRange(record[2..], images.AsSpan(r * PixelBytes, PixelBytes));
        }
        return new ImageDataset(images, labels, Channels, ImageSize, ImageSize, classes, file);
    }

    private static byte[] ReadRecords(string path, int recordSize, string format, string labelBytes)
    {
        if (!File.Exists(path))
            throw new DataFormatException(path, "file", $"not found; a {format} binary folder holds this file");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "file", $"cannot be read: {e.Message}", e);
        }
        if (bytes.Length == 0 || bytes.Length % recordSize != 0)
            throw new DataFormatException(path, "file size",
                $"{bytes.Length} bytes is not a positive multiple of the {recordSize}-byte {format} record " +
                $"({labelBytes} + {PixelBytes} pixel bytes){(bytes.Length > 0 ? $"; {bytes.Length % recordSize} byte(s) left over" : "")}");
        return bytes;
    }

    private static int Label(string path, int record, string field, byte value, int classes) =>
        value < classes
            ? value
            : throw new DataFormatException(path, field, $"record {record} has {field} {value}, outside [0, {classes})");
}
