using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Models.Tests.Training;

/// <summary>The same seed gives bit-identical training on the CPU backend, whatever the thread timing.</summary>
public class DeterminismTests
{
    [Fact]
    public void Two_runs_with_one_seed_end_with_identical_weights_and_losses()
    {
        var (w1, l1) = TrainOnce(seed: 4);
        var (w2, l2) = TrainOnce(seed: 4);
        Assert.Equal(l1, l2);
        Assert.Equal(w1, w2);
        var (w3, _) = TrainOnce(seed: 5);
        Assert.NotEqual(w1, w3);
    }

    private static (float[] Weights, double[] Losses) TrainOnce(ulong seed)
    {
        using var backend = new CpuBackend();
        var rng = new System.Random(3);
        int n = 300;
        var pixels = new float[n * 64];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextDouble();
        var labels = Enumerable.Range(0, n).Select(i => i % 4).ToArray();
        var data = new ImageDataset(pixels, labels, 1, 8, 8, 4, "random");
        using var net = ModelZoo.Mlp(new ModuleInit(backend, seed), 64, [48], 4);
        using var opt = new AdamW(net.Parameters(), 1e-2f);
        using var loader = new DataLoader(data, 32, shuffle: true, seed: (long)seed);
        var trainer = new Trainer(net, opt, new CosineSchedule(3 * loader.BatchCount), new TrainerOptions { Epochs = 3 });
        trainer.Fit(loader, null);
        var weights = net.Parameters().SelectMany(p => p.Value.ToArray()).ToArray();
        return (weights, trainer.History.Select(h => h.TrainLoss).ToArray());
    }
}
