namespace SparseCore.Models.Data;

/// <summary>
/// One mini-batch: Count images (Count×C×H×W floats at the start of X) and their labels. The
/// arrays are sized for a full batch and reused by the <see cref="DataLoader"/> from batch to
/// batch, so a batch's contents are valid only until the loader's enumerator moves on; copy what
/// must outlive that.
/// </summary>
public sealed class Batch
{
    internal Batch(int capacity, int sampleSize, int channels, int height, int width)
    {
        X = new float[checked(capacity * sampleSize)];
        Y = new int[capacity];
        Indices = new int[capacity];
        SampleSize = sampleSize;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Pixels, batch-capacity×C×H×W; only the first Count×SampleSize are this batch's.</summary>
    public float[] X { get; }

    /// <summary>Labels; only the first Count are this batch's.</summary>
    public int[] Y { get; }

    /// <summary>The dataset index of each row; only the first Count are this batch's.</summary>
    public int[] Indices { get; }

    /// <summary>Images in this batch (less than the capacity only for an epoch's final partial batch).</summary>
    public int Count { get; internal set; }

    /// <summary>Position of this batch within its epoch, from 0.</summary>
    public int Number { get; internal set; }

    public int SampleSize { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>This batch's pixels, Count×C×H×W.</summary>
    public ReadOnlySpan<float> Pixels => X.AsSpan(0, Count * SampleSize);

    /// <summary>This batch's labels.</summary>
    public ReadOnlySpan<int> Labels => Y.AsSpan(0, Count);
}
