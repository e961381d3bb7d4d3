using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Masks.MaskTestKit;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>
/// Masks act after the batch-norm: in ResNet-20 a channel whose mask is 0 outputs exactly 0 after
/// its BN, kept channels are bit-identical to the dense network's, an all-ones mask leaves the
/// network's output unchanged, disposing the applier restores the dense network; without BN
/// (VGG-16) the mask acts on the conv's own output.
/// </summary>
public class MaskApplierTests
{
    private static Module Find(Module model, string name) => model.NamedModules().Single(m => m.Name == name).Module;

    /// <summary>Runs the model, returning its output and what the probe saw at <paramref name="probe"/>.</summary>
    private static (float[] Output, float[] Probe) Run(Module model, string probe)
    {
        using var scope = new TensorScope();
        float[] seen = [];
        using var hook = Find(model, probe).AddForwardHook((_, y) => { seen = y.ToArray(); return y; });
        var output = model.Forward(Images()).ToArray();
        return (output, seen);
    }

    [Fact]
    public void Masked_channels_are_zero_after_the_batch_norm_and_kept_ones_unchanged()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var layer = graph.Layer("layer1.0.conv1");
        Assert.Equal("layer1.0.bn1", layer.Norm);
        int id = layer.Mask!.Value, offset = graph.Masks.Take(id).Sum(m => m.Channels), width = graph.Masks[id].Channels;
        var dense = Run(model, "layer1.0.bn1");

        var values = Enumerable.Repeat(1f, graph.TotalChannels).ToArray();
        int[] pruned = [0, 3, 7];
        foreach (int c in pruned) values[offset + c] = 0f;
        (float[] Output, float[] Probe) masked;
        using (var scope = new TensorScope())
        using (new MaskApplier(model, graph, Tensor.FromArray(Cpu, values, new Shape(graph.TotalChannels))))
            masked = Run(model, "layer1.0.bn1");

        int plane = Side * Side;
        for (int i = 0; i < dense.Probe.Length; i++)
        {
            int channel = i / plane % width;
            Assert.Equal(pruned.Contains(channel) ? 0f : dense.Probe[i], masked.Probe[i]);
        }
        Assert.NotEqual(dense.Output, masked.Output);
        Assert.Equal(dense.Output, Run(model, "layer1.0.bn1").Output);
    }

    [Fact]
    public void An_all_ones_mask_leaves_the_network_unchanged()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var dense = Run(model, "fc").Output;
        using var scope = new TensorScope();
        using var applier = new MaskApplier(model, graph, Tensor.Full(Cpu, new Shape(graph.TotalChannels), 1f));
        Assert.Equal(dense, Run(model, "fc").Output);
    }

    [Fact]
    public void Without_batch_norm_the_mask_acts_on_the_conv_output()
    {
        // VGG-16 (no BN) at 32 px, every conv 4 wide and the hidden linears 8, so it runs in milliseconds.
        const string first = "features.0";
        using var shape = ModelZoo.Create("vgg16", ModuleInit.Undrawn(Cpu), 3, 32, 32, 10);
        var widths = new LayerWidths(LayerWidths.Of(shape).Entries.Select(e => KeyValuePair.Create(e.Key,
            e.Key.StartsWith("features.", StringComparison.Ordinal) ? 4 : e.Value == 10 ? 10 : 8)));
        using var model = ModelZoo.Create("vgg16", new ModuleInit(Cpu, 1), 3, 32, 32, 10, widths);
        model.Eval();
        var graph = ChannelGraph.Of(model);
        Assert.Null(graph.Layer(first).Norm);
        using var scope = new TensorScope();
        var x = Tensor.FromArray(Cpu, Random(2 * 3 * 32 * 32, 5, 0f, 1f), new Shape(2, 3, 32, 32));
        float[] dense = [], masked = [];
        using (Find(model, first).AddForwardHook((_, y) => { dense = y.ToArray(); return y; })) model.Forward(x);
        var values = Enumerable.Repeat(1f, graph.TotalChannels).ToArray();
        values[1] = 0f;
        using (new MaskApplier(model, graph, Tensor.FromArray(Cpu, values, new Shape(graph.TotalChannels))))
        using (Find(model, first).AddForwardHook((_, y) => { masked = y.ToArray(); return y; }))
            model.Forward(x);
        int plane = 32 * 32;
        Assert.Contains(dense.Where((_, i) => i / plane % 4 == 1), v => v != 0f);
        for (int i = 0; i < dense.Length; i++) Assert.Equal(i / plane % 4 == 1 ? 0f : dense[i], masked[i]);
    }

    [Fact]
    public void A_mask_of_the_wrong_length_is_refused()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        using var scope = new TensorScope();
        var error = Assert.Throws<TensorShapeException>(() => new MaskApplier(model, graph, Tensor.Zeros(Cpu, new Shape(687))));
        Assert.Contains("[688]", error.Message);
    }
}
