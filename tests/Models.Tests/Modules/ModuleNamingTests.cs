using SparseCore.Kernels.Cpu;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Modules;

/// <summary>PyTorch's names and shapes for the modules no torchvision fixture covers, and their behaviour.</summary>
public class ModuleNamingTests
{
    [Fact]
    public void Lstm_and_multihead_attention_use_PyTorch_names_and_shapes()
    {
        using var backend = new CpuBackend();
        var init = new ModuleInit(backend, 1);
        using var lstm = new Lstm(init, 5, 7);
        Assert.Equal([("weight_ih_l0", new Shape(28, 5)), ("weight_hh_l0", new Shape(28, 7)), ("bias_ih_l0", new Shape(28)), ("bias_hh_l0", new Shape(28))],
                     lstm.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Shape)));
        using var mha = new MultiheadAttention(init, 6, 3);
        Assert.Equal([("in_proj_weight", new Shape(18, 6)), ("in_proj_bias", new Shape(18)), ("out_proj.weight", new Shape(6, 6)), ("out_proj.bias", new Shape(6))],
                     mha.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Shape)));
        Assert.All(mha.OutProj.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));

        using var scope = new TensorScope();
        var x = BackboneTensors(backend, new Shape(2, 4, 5));
        var h = lstm.Forward(x);
        Assert.Equal(new Shape(2, 4, 7), h.Shape);
        Assert.Equal(h.Shape, ModelCost.Measure(lstm, x.Shape).Output);
        // The last step of the sequence output is the state Step reaches after the same inputs.
        var (hs, cs) = (Tensor.Zeros(backend, new Shape(2, 7)), Tensor.Zeros(backend, new Shape(2, 7)));
        for (int t = 0; t < 4; t++) (hs, cs) = lstm.Step(F.Reshape(F.Slice(x, 1, t, 1), new Shape(2, 5)), hs, cs);
        Assert.Equal(hs.ToArray(), F.Slice(h, 1, 3, 1).ToArray());

        var a = mha.Forward(BackboneTensors(backend, new Shape(2, 3, 6)));
        Assert.Equal(new Shape(2, 3, 6), a.Shape);
    }

    [Fact]
    public void Frozen_parameters_get_no_gradient_and_the_rest_still_do()
    {
        using var backend = new CpuBackend();
        using var model = ModelZoo.Create("resnet20", new ModuleInit(backend, 2), 1, 8, 8, 3);
        var frozen = model.NamedParameters().Where(p => !p.Name.StartsWith("fc.", StringComparison.Ordinal)).ToList();
        foreach (var (_, p) in frozen) p.Frozen = true;
        using var scope = new TensorScope();
        var y = model.Forward(BackboneTensors(backend, new Shape(2, 1, 8, 8)));
        F.CrossEntropy(y, IntTensor.Labels(backend, [0, 2], 3)).Backward();
        Assert.All(frozen, p => Assert.Null(p.Parameter.Grad));
        Assert.NotNull(model.NamedParameters().Single(p => p.Name == "fc.weight").Parameter.Grad);
    }

    [Fact]
    public void Normalize_is_per_channel_for_three_channels_and_a_constant_not_state()
    {
        using var backend = new CpuBackend();
        using var normalize = new Normalize([0.5f, 0.25f, 0f], [0.5f, 0.25f, 2f]);
        Assert.Empty(normalize.NamedParameters());
        Assert.Empty(normalize.NamedBuffers());
        using var scope = new TensorScope();
        var y = normalize.Forward(Tensor.FromArray(backend, [1f, 0f, 1f, 0.5f, 4f, 2f], new Shape(1, 3, 1, 2))).ToArray();
        Assert.Equal([1f, -1f, 3f, 1f, 2f, 1f], y);
        Assert.Throws<TensorShapeException>(() => normalize.Forward(Tensor.Zeros(backend, new Shape(1, 1, 2, 2))));
        Assert.Throws<ArgumentException>(() => new Normalize([0.5f], [0f]));
    }

    [Fact]
    public void Pooling_and_padding_layers_give_the_shapes_their_walk_predicts()
    {
        using var backend = new CpuBackend();
        using var net = new Sequential(new ZeroPad2d(2), new MaxPool2d(3, 2, 1), new AvgPool2d(2, 2), new AdaptiveAvgPool2d(1));
        using var scope = new TensorScope();
        var x = BackboneTensors(backend, new Shape(2, 3, 11, 9));
        Assert.Equal(new Shape(2, 3, 1, 1), net.Forward(x).Shape);
        var rows = new Sequential(new ZeroPad2d(2), new MaxPool2d(3, 2, 1), new AvgPool2d(2, 2));
        Assert.Equal(rows.Forward(x).Shape, ModelCost.Measure(rows, x.Shape).Output);
        var padded = new ZeroPad2d(1).Forward(Tensor.Full(backend, new Shape(1, 1, 1, 1), 5f)).ToArray();
        Assert.Equal([0f, 0f, 0f, 0f, 5f, 0f, 0f, 0f, 0f], padded);
        Assert.Throws<TensorShapeException>(() => new AdaptiveAvgPool2d(3).Forward(x));
    }

    private static Tensor BackboneTensors(CpuBackend backend, Shape shape)
    {
        var rng = new Random(shape.Size);
        return Tensor.FromArray(backend, Enumerable.Range(0, shape.Size).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), shape);
    }
}
