using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Optim;

public class SgdParameterGroupTests
{
    [Fact]
    public void Parameters_without_decay_move_by_their_gradient_alone()
    {
        using var cpu = new CpuBackend();
        using var decayed = new Parameter("a", Tensor.Full(cpu, new Shape(3), 2f));
        using var exempt = new Parameter("b", Tensor.Full(cpu, new Shape(3), 2f));
        using var sgd = new Sgd([decayed, exempt], 0.5f, weightDecay: 0.1f, withoutDecay: [exempt]);
        using (var scope = new TensorScope())
            F.SumAll(F.Add(F.Scale(decayed.Value, 3f), F.Scale(exempt.Value, 3f))).Backward();
        sgd.Step();
        // p ← p − lr·(g + wd·p): 2 − 0.5·(3 + 0.2) = 0.4 with decay, 2 − 0.5·3 = 0.5 without.
        Assert.All(decayed.Value.ToArray(), v => Assert.Equal(0.4f, v, 6));
        Assert.All(exempt.Value.ToArray(), v => Assert.Equal(0.5f, v, 6));
    }
}
