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
            TinyIdx.WriteSplit(data, "train", 300, seed: 1);
            TinyIdx.WriteSplit(data, "t10k", 100, seed: 2);
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
}
