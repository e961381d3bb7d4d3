using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Modules;

public class BatchNorm2dModuleTests
{
    [Fact]
    public void Training_updates_the_running_buffers_and_evaluation_uses_them_without_updating()
    {
        using var backend = new CpuBackend();
        using var bn = new BatchNorm2d(new ModuleInit(backend, 1), 2);
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["weight", "bias"], bn.NamedParameters().Select(p => p.Name));
        // [N=2, C=2, 1×2]: channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 10, 10, 14.
        float[] data = [1, 2, 10, 10, 3, 4, 10, 14];
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, data, new Shape(2, 2, 1, 2));

        var y = bn.Forward(x).ToArray();
        // Training normalises with the biased batch variance: channel 0 mean 2.5, var 1.25.
        Assert.Equal((1 - 2.5) / Math.Sqrt(1.25 + 1e-5), y[0], 4);
        // Running statistics: momentum 0.1 toward the batch mean and the unbiased variance.
        Assert.Equal([0.25f, 1.1f], bn.RunningMean.ToArray(), new ToleranceComparer(1e-6f));
        Assert.Equal([0.9f + 0.1f * 5f / 3f, 0.9f + 0.1f * 4f], bn.RunningVar.ToArray(), new ToleranceComparer(1e-5f));
        Assert.Equal(1f, bn.NamedBuffers().Single(b => b.Name == "num_batches_tracked").Buffer.Item());

        bn.Eval();
        float[] meanBefore = bn.RunningMean.ToArray(), varBefore = bn.RunningVar.ToArray();
        var z = bn.Forward(x).ToArray();
        Assert.Equal((1 - 0.25) / Math.Sqrt(0.9 + 0.1 * 5.0 / 3 + 1e-5), z[0], 4);
        Assert.Equal(meanBefore, bn.RunningMean.ToArray());
        Assert.Equal(varBefore, bn.RunningVar.ToArray());
        Assert.Equal(1f, bn.NamedBuffers().Single(b => b.Name == "num_batches_tracked").Buffer.Item());

        bn.Train();
        bn.Forward(x);
        Assert.Equal(2f, bn.NamedBuffers().Single(b => b.Name == "num_batches_tracked").Buffer.Item());
        Assert.Equal(0.25f * 0.9f + 0.25f, bn.RunningMean.ToArray()[0], 5);
    }

    [Fact]
    public void Train_and_eval_reach_every_descendant()
    {
        using var backend = new CpuBackend();
        var init = new ModuleInit(backend, 1);
        using var net = new Sequential(new Sequential(new BatchNorm2d(init, 3)), new Dropout(0.5f, init));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.Training));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.Training));
        Assert.Equal(["0", "0.0", "1"], net.NamedModules().Select(m => m.Name));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}
