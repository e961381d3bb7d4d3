using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Tests.Data;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Models.Tests.Training;

/// <summary>A run interrupted after epoch k and resumed ends bit-identical to one that never stopped (augmented, prefetched data included).</summary>
public class ResumeTests
{
    private const int Epochs = 4, Seed = 11;

    private static ImageDataset Data() => SyntheticDataset.Create(200, 1, 6, 6, 3, seed: 5);

    private sealed record Run(float[] Weights, (double, double, double?, double?, double)[] Metrics);

    /// <summary>Trains up to <paramref name="stopAfter"/> epochs of a 4-epoch schedule, resuming from <paramref name="resumeFrom"/> if given.</summary>
    private static Run Train(string folder, int stopAfter, string? resumeFrom = null, ulong initSeed = Seed, long loaderSeed = Seed)
    {
        using var backend = new CpuBackend();
        var data = Data();
        var (trainIndices, validation) = DataSplit.TrainValidation(data.Count, 40, Seed);
        using var net = ModelZoo.Mlp(new ModuleInit(backend, initSeed), 36, [19], 3);
        using var opt = new AdamW(net.Parameters(), 1e-2f);
        using var train = new DataLoader(data, 16, shuffle: true, seed: loaderSeed, indices: trainIndices,
            augment: new AugmentPipeline(new RandomCrop(6, 6, padding: 1), new HorizontalFlip()));
        using var eval = new DataLoader(data, 64, shuffle: false, indices: validation);
        var schedule = new WarmupSchedule(5, new CosineSchedule(Epochs * train.BatchCount));
        var options = new TrainerOptions { Epochs = stopAfter, RunFolder = folder, CheckpointEvery = 1, LabelSmoothing = 0.1f };
        var trainer = new Trainer(net, opt, schedule, options);
        if (resumeFrom is not null)
        {
            var info = trainer.Resume(resumeFrom);
            Assert.Equal(info.Epoch, trainer.CompletedEpochs);
        }
        trainer.Fit(train, eval);
        var weights = net.Parameters().SelectMany(p => p.Value.ToArray()).ToArray();
        var metrics = trainer.History
            .Select(h => (h.TrainLoss, h.TrainAccuracy, h.EvalLoss, h.EvalAccuracy, h.LearningRate)).ToArray();
        return new Run(weights, metrics);
    }

    [Fact]
    public void InterruptedAndResumedRunIsBitIdenticalToAnUninterruptedOne()
    {
        using var whole = new TempFolder();
        using var parts = new TempFolder();
        var uninterrupted = Train(whole.Path, Epochs);
        var again = Train(Path.Combine(whole.Path, "again"), Epochs);
        Assert.Equal(uninterrupted, again, RunComparer.Instance);

        Train(parts.Path, stopAfter: 2);
        string last = Path.Combine(parts.Path, Checkpoint.LastFileName);
        Assert.Equal(2, Checkpoint.ReadInfo(last).Epoch);
        // A different initialisation seed: everything that matters must come from the checkpoint.
        var resumed = Train(parts.Path, Epochs, resumeFrom: last, initSeed: 99);

        Assert.Equal(uninterrupted, resumed, RunComparer.Instance);
        Assert.Equal(Epochs, Checkpoint.ReadInfo(last).Epoch);
        Assert.Equal(Epochs + 1, File.ReadAllLines(Path.Combine(parts.Path, "metrics.csv")).Length);
    }

    [Fact]
    public void ResumingWithAnotherLoaderSeedIsRefused()
    {
        using var folder = new TempFolder();
        Train(folder.Path, stopAfter: 1);
        var e = Assert.Throws<InvalidOperationException>(() =>
            Train(folder.Path, 2, Path.Combine(folder.Path, Checkpoint.LastFileName), loaderSeed: Seed + 1));
        Assert.Contains($"loader seed {Seed}", e.Message);
    }

    private sealed class RunComparer : IEqualityComparer<Run>
    {
        public static readonly RunComparer Instance = new();

        public bool Equals(Run? a, Run? b) =>
            a!.Weights.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b!.Weights.Select(BitConverter.SingleToInt32Bits))
            && a.Metrics.SequenceEqual(b.Metrics);

        public int GetHashCode(Run run) => run.Weights.Length;
    }
}
