using System.Buffers.Binary;

namespace SparseCore.Cli.Tests;

/// <summary>`sparsecore train` end to end on a tiny IDX dataset written here.</summary>
public class TrainRunTests
{
    [Fact]
    public void Train_writes_a_run_folder_with_metrics_and_report()
    {
        string root = Directory.CreateTempSubdirectory("sparsecore-cli-").FullName;
        try
        {
            string data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            WriteSplit(data, "train", 300, seed: 1);
            WriteSplit(data, "t10k", 100, seed: 2);
            string runs = Path.Combine(root, "runs");

            var (exit, output, error) = CliRunner.Run("train", "--data", data, "--epochs", "2", "--validation", "50",
                "--batch-size", "25", "--warmup", "1", "--device", "cpu", "--output", runs);

            Assert.True(exit == 0, error);
            Assert.Contains("test accuracy", output);
            string run = Assert.Single(Directory.GetDirectories(runs));
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
            Assert.Equal(3, metrics.Length); // header + 2 epochs
            Assert.StartsWith("epoch,train_loss", metrics[0]);
            // One warm-up epoch of 10 steps ends at the peak rate; the cosine then decays it.
            float LearningRate(string row) => float.Parse(row.Split(',')[5], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(0.05f, LearningRate(metrics[1]), 6);
            Assert.InRange(LearningRate(metrics[2]), 0.0005f, 0.002f);
            Assert.Contains("test accuracy", File.ReadAllText(Path.Combine(run, "report.md")));
            var png = File.ReadAllBytes(Path.Combine(run, "training.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Info_prints_the_per_layer_cost_of_a_backbone()
    {
        var (exit, output, error) = CliRunner.Run("info", "--model", "resnet20", "--input", "3x32x32");
        Assert.True(exit == 0, error);
        Assert.Contains("layer3.2.conv2", output);
        Assert.Contains("40,551,040", output); // ResNet-20 with zero-padding shortcuts at 32 px
    }

    /// <summary>Random 28×28 images whose label is written into their first pixel (learnable).</summary>
    private static void WriteSplit(string folder, string prefix, int count, int seed)
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
