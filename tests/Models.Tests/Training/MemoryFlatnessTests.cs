using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Training;

/// <summary>A training loop must not leak: device buffers, tape and managed heap stay flat (MLP and ResNet-20).</summary>
[Collection(MemoryCollection.Name)]
public class MemoryFlatnessTests
{
    [Theory]
    [InlineData("mlp", 28, 200)]
    [InlineData("resnet20", 12, 300)]
    public void Training_steps_after_warm_up_leave_buffers_tape_and_heap_flat(string model, int size, int steps)
    {
        using var backend = new CpuBackend();
        var data = SyntheticDataset.Create(256, 1, size, size, 10, seed: 1);
        using var net = ModelZoo.Create(model, new ModuleInit(backend, 3), 1, size, size, 10);
        using var opt = new Sgd(net.Parameters(), 0.05f, momentum: 0.9f, weightDecay: 5e-4f);
        var trainer = new Trainer(net, opt, null, new TrainerOptions());
        using var loader = new DataLoader(data, 16, shuffle: true, seed: 1);

        IEnumerable<Batch> Batches()
        {
            for (int epoch = 0; ; epoch++)
                foreach (var b in loader.Epoch(epoch)) yield return b;
        }
        using var stream = Batches().GetEnumerator();
        void Steps(int n) { for (int i = 0; i < n; i++) { stream.MoveNext(); trainer.Step(stream.Current); } }

        Steps(20);
        var pool = backend.Pool;
        long heap = Heap();
        (int live, long liveBytes, long raw) before = (pool.LiveBuffers, pool.LiveBytes, pool.RawAllocations);

        Steps(steps);
        // The heap is the process's, shared with the test host, which (run alone) grew it by ~350 KB
        // once during the window: a window past the bound gets a second one, which a leak grows too.
        long grew = Heap() - heap;
        if (grew >= HeapBound)
        {
            heap += grew;
            Steps(steps);
            long again = Heap() - heap;
            Assert.True(again < HeapBound, $"managed heap grew by {grew} bytes over {steps} steps, then by {again} over {steps} more");
        }

        Assert.Equal(before.live, pool.LiveBuffers);
        Assert.Equal(before.liveBytes, pool.LiveBytes);
        Assert.Equal(before.raw, pool.RawAllocations);
        Assert.Equal(0, Autograd.TapeLength);
    }

    private const long HeapBound = 256 * 1024;

    private static long Heap()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        return GC.GetTotalMemory(true);
    }

    [Fact]
    public void Mlp_learns_a_separable_task()
    {
        using var backend = new CpuBackend();
        var data = SyntheticDigits(count: 1000);
        using var net = ModelZoo.Mlp(new ModuleInit(backend, 5), 28 * 28, [32], 10);
        using var opt = new Sgd(net.Parameters(), 0.1f, momentum: 0.9f);
        using var loader = new DataLoader(data, 50, shuffle: true, seed: 2);
        var trainer = new Trainer(net, opt, null, new TrainerOptions { Epochs = 3 });
        var before = Trainer.Evaluate(net, loader);
        trainer.Fit(loader, null);
        var after = Trainer.Evaluate(net, loader);
        Assert.True(after.Loss < before.Loss * 0.5, $"loss {before.Loss:F3} → {after.Loss:F3}");
        Assert.True(after.Accuracy > 0.9, $"accuracy {after.Accuracy:P1}");
    }

    /// <summary>Class k lights up a distinct horizontal band, with noise: easy, but only if learning works.</summary>
    private static ImageDataset SyntheticDigits(int count)
    {
        var rng = new System.Random(11);
        var pixels = new float[count * 28 * 28];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int k = labels[i] = i % 10;
            for (int p = 0; p < 28 * 28; p++)
            {
                int row = p / 28;
                float signal = row / 3 == k % 9 && (k < 9 || p % 2 == 0) ? 0.8f : 0f;
                pixels[i * 784 + p] = Math.Clamp(signal + (float)rng.NextDouble() * 0.3f, 0f, 1f);
            }
        }
        return new ImageDataset(pixels, labels, 1, 28, 28, 10, "synthetic");
    }
}
