using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Modules;

public class ForwardHookTests
{
    [Fact]
    public void A_hook_transforms_a_nested_layer_output_and_its_gradient_until_removed()
    {
        using var backend = new CpuBackend();
        using var net = new Sequential(new Linear(new ModuleInit(backend, 1), 3, 4), new ReLU());
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, [0.5f, -1f, 2f], new Shape(1, 3));
        var plain = net.Forward(x).ToArray();

        var handle = net.Layers[0].AddForwardHook((_, y) => F.Affine(y, 0f)); // zero the linear's output
        var hooked = net.Forward(x);
        Assert.All(hooked.ToArray(), v => Assert.Equal(0f, v));
        F.SumAll(hooked).Backward();
        var linear = (Linear)net.Layers[0];
        Assert.All(linear.Weight.Grad!.ToArray(), g => Assert.Equal(0f, g));

        handle.Dispose();
        Assert.Equal(plain, net.Forward(x).ToArray());
    }
}
