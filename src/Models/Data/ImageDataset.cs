namespace SparseCore.Models.Data;

/// <summary>
/// N labelled images held on the host as one contiguous float array, N×C×H×W (NCHW, the layout
/// every tensor op expects), pixels in [0, 1]. Validated once at construction so that nothing
/// downstream — loaders, training, evaluation — has to re-check a label against the class count.
/// The dataset takes ownership of the arrays it is given (a copy of 188 MB for Fashion-MNIST's
/// training set would be waste); do not mutate them afterwards.
/// </summary>
public sealed class ImageDataset
{
    // byte/255 for every byte value, computed with a real division so the table and any other
    // code computing b / 255f agree bit for bit (multiplying by 1/255f does not, for some bytes).
    private static readonly float[] ByteToUnit = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    private readonly float[] _images;
    private readonly int[] _labels;

    /// <param name="images">N×C×H×W pixels, N = labels.Length.</param>
    /// <param name="labels">One class index per image, each in [0, classCount).</param>
    /// <param name="source">Where the labels came from (usually the label file's path); errors name it.</param>
    /// <param name="classNames">Optional, exactly classCount names.</param>
    public ImageDataset(float[] images, int[] labels, int channels, int height, int width, int classCount,
        string source, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new DataFormatException(source, "shape", $"image shape {channels}×{height}×{width} has a dimension ≤ 0");
        if (classCount <= 0)
            throw new DataFormatException(source, "class count", $"class count is {classCount}; it must be at least 1");
        if (classNames is not null && classNames.Count != classCount)
            throw new DataFormatException(source, "class names", $"{classNames.Count} class names given for {classCount} classes");

        long sampleSize = (long)channels * height * width;
        if (images.LongLength != labels.LongLength * sampleSize)
            throw new DataFormatException(source, "image count",
                $"{labels.Length} labels need {labels.LongLength * sampleSize} pixels of {channels}×{height}×{width}, " +
                $"but {images.LongLength} were given");

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new DataFormatException(source, "label",
                    $"label[{i}] = {labels[i]} is outside [0, {classCount})");
        }

        _images = images;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        SampleSize = (int)sampleSize;
        Source = source;
        ClassNames = classNames ?? Enumerable.Range(0, classCount).Select(c => c.ToString()).ToArray();
    }

    /// <summary>
    /// Builds a dataset from raw 8-bit pixels (as IDX/CIFAR store them), scaling each by 1/255.
    /// </summary>
    public static ImageDataset FromBytes(ReadOnlySpan<byte> pixels, int[] labels, int channels, int height, int width,
        int classCount, string source, IReadOnlyList<string>? classNames = null)
    {
        var images = GC.AllocateUninitializedArray<float>(pixels.Length);
        ToUnitRange(pixels, images);
        return new ImageDataset(images, labels, channels, height, width, classCount, source, classNames);
    }

    /// <summary>Writes byte/255 for every byte of <paramref name="pixels"/> into <paramref name="destination"/>.</summary>
    public static void ToUnitRange(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (destination.Length < pixels.Length)
            throw new ArgumentException($"destination holds {destination.Length} floats, {pixels.Length} needed", nameof(destination));
        var table = ByteToUnit;
        for (int i = 0; i < pixels.Length; i++)
            destination[i] = table[pixels[i]];
    }

    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int ClassCount { get; }

    /// <summary>Floats per image, C×H×W.</summary>
    public int SampleSize { get; }

    /// <summary>The label file path (or other description) the dataset was built from.</summary>
    public string Source { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>All pixels, N×C×H×W.</summary>
    public ReadOnlySpan<float> Images => _images;

    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The C×H×W pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"dataset has {Count} images");
        return _images.AsSpan(index * SampleSize, SampleSize);
    }

    public int Label(int index) => _labels[index];

    /// <summary>How many images carry each label, indexed by class.</summary>
    public int[] ClassHistogram()
    {
        var histogram = new int[ClassCount];
        foreach (int label in _labels)
            histogram[label]++;
        return histogram;
    }
}
