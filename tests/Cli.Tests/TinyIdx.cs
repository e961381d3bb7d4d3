using System.Buffers.Binary;

namespace SparseCore.Cli.Tests;

/// <summary>Tiny learnable IDX datasets written by the tests themselves.</summary>
internal static class TinyIdx
{
    /// <summary>A folder with a training set of <paramref name="train"/> and a test set of <paramref name="test"/> images.</summary>
    public static string Folder(string parent, int train, int test)
    {
        string data = Directory.CreateDirectory(Path.Combine(parent, "data")).FullName;
        WriteSplit(data, "train", train, seed: 1);
        WriteSplit(data, "t10k", test, seed: 2);
        return data;
    }

    /// <summary>Random 28×28 images whose label is written into their first pixel (learnable).</summary>
    public static void WriteSplit(string folder, string prefix, int count, int seed)
    {
        var rng = new Random(seed);
        var images = new byte[count * 28 * 28];
        var labels = new byte[count];
        rng.NextBytes(images);
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)rng.Next(10);
            images[i * 784] = (byte)(labels[i] * 25);
        }
        File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), Idx([count, 28, 28], images));
        File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), Idx([count], labels));
    }

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }
}
