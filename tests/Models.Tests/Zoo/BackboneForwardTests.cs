using SparseCore.Kernels.Cpu;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

/// <summary>Every backbone runs forward on a tiny batch at a small size with the shape its walk predicts.</summary>
public class BackboneForwardTests
{
    internal static Tensor RandomImages(CpuBackend backend, int n, int channels, int side, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[n * channels * side * side];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextDouble();
        return Tensor.FromArray(backend, pixels, new Shape(n, channels, side, side));
    }

    internal static void AssertFinite(float[] values)
    {
        foreach (float v in values) Assert.True(float.IsFinite(v), $"non-finite output {v}");
    }

    [Theory]
    [InlineData("mlp", 1, 28)]
    [InlineData("resnet20", 1, 28)]
    [InlineData("resnet56", 3, 32)]
    [InlineData("resnet18", 1, 28)]
    [InlineData("resnet34", 3, 32)]
    [InlineData("resnet50", 3, 32)]
    [InlineData("vgg16", 1, 28)]
    [InlineData("vgg16_bn", 3, 32)]
    [InlineData("vit_tiny", 1, 28)]
    public void Forward_gives_finite_logits_of_the_traced_shape_and_backward_reaches_every_parameter(string name, int channels, int side)
    {
        using var backend = new CpuBackend();
        using var model = ModelZoo.Create(name, new ModuleInit(backend, 7), channels, side, side, 5);
        using var scope = new TensorScope();
        var x = RandomImages(backend, 2, channels, side, 1);
        foreach (bool training in new[] { true, false })
        {
            model.Train(training);
            var y = model.Forward(x);
            Assert.Equal(new Shape(2, 5), y.Shape);
            Assert.Equal(y.Shape, ModelCost.Measure(model, x.Shape).Output);
            AssertFinite(y.ToArray());
            if (!training) continue;
            F.CrossEntropy(y, IntTensor.Labels(backend, [1, 3], 5)).Backward();
            foreach (var (param, p) in model.NamedParameters())
            {
                Assert.True(p.Grad is not null, $"{name}: no gradient reached {param}");
                AssertFinite(p.Grad!.ToArray());
            }
            model.ZeroGrad();
        }
    }

    [Fact]
    public void Vgg_pads_28_px_inputs_to_32_in_pixel_space()
    {
        using var backend = new CpuBackend();
        using var model = ModelZoo.Create("vgg16", ModuleInit.Undrawn(backend), 1, 28, 28, 10);
        var rows = ModelCost.Measure(model, new Shape(1, 1, 28, 28)).Rows;
        Assert.Equal(new Shape(1, 1, 32, 32), rows.First(r => r.Name == "features.0").Input);
        Assert.Equal("pad", model.Children.First().Name);
    }
}
