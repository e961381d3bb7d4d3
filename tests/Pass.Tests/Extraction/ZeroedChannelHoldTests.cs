using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Extraction.ExtractionKit;

namespace SparseCore.Pass.Tests.Extraction;

/// <summary>
/// Union mode's kept-but-zeroed channels through stage-2-like training (SGD with momentum and
/// weight decay) of an extracted ResNet-20 with conv shortcuts: with the hold their conv and
/// batch-norm outputs stay exactly 0 in training and evaluation mode, and the rest still trains;
/// without it the same training revives them, so the test exercises the failure it guards against.
/// </summary>
public class ZeroedChannelHoldTests
{
    private const int Side = 12, Classes = 10;
    private static readonly ResNetSpec Spec = ResNetSpec.Cifar(20, ResNetShortcut.Conv);
    private static readonly InputSpec Input = InputSpec.For(3, Side, Side);

    /// <summary>The dense network's union-mode extraction, deterministic for a seed.</summary>
    private static ExtractedNetwork Extract(int seed)
    {
        using var dense = new ResNet(new ModuleInit(Cpu, (ulong)seed), Spec, Input, Classes);
        RandomizeNorms(dense, seed);
        var masks = RandomMasks(ChannelGraph.Of(dense), seed, shared: false);
        return Extractor.Extract(dense, masks, ResidualMode.Union, new Shape(1, 3, Side, Side),
            w => new ResNet(ModuleInit.Undrawn(Cpu), Spec, Input, Classes, w));
    }

    /// <summary>Four steps as stage 2 takes them: SGD, momentum 0.9, weight decay 5e-4, a large rate so every parameter moves.</summary>
    private static Sgd Train(ExtractedNetwork extracted, ZeroedChannelHold? hold)
    {
        var opt = new Sgd(extracted.Model.Parameters(), 0.1f, 0.9f, 5e-4f);
        using var loader = new DataLoader(SyntheticDataset.Create(32, 3, Side, Side, Classes, seed: 4), 16, shuffle: true, seed: 5);
        var trainer = new Trainer(extracted.Model, opt, new CosineSchedule(8), new TrainerOptions
        {
            Epochs = 2, AfterBackward = hold is null ? null : _ => hold.MaskGradients(),
        });
        trainer.Fit(loader, null);
        return opt;
    }

    /// <summary>The largest |value| over the zeroed channels of every conv and batch-norm output, in the model's current mode.</summary>
    private static float LargestZeroedOutput(ExtractedNetwork extracted)
    {
        var plan = extracted.Plan;
        var modules = extracted.Model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        float largest = 0f;
        var hooks = new List<IDisposable>();
        foreach (var layer in plan.Graph.Layers.Where(l => plan.Zeroed(l.Name).Count > 0))
        {
            var outputs = plan.Outputs(layer.Name);
            var positions = plan.Zeroed(layer.Name).Select(c => outputs.ToList().IndexOf(c)).ToArray();
            foreach (var name in new[] { layer.Name, layer.Norm! })
                hooks.Add(modules[name].AddForwardHook((_, y) =>
                {
                    var values = y.ToArray();
                    int channels = y.Shape[1], plane = y.Shape.Product(2, y.Shape.Rank);
                    for (int n = 0; n < y.Shape[0]; n++)
                        foreach (int c in positions)
                            for (int k = 0; k < plane; k++)
                                largest = Math.Max(largest, Math.Abs(values[(n * channels + c) * plane + k]));
                    return y;
                }));
        }
        using (var x = Images(3, Side, 6)) Run(extracted.Model, x);
        foreach (var hook in hooks) hook.Dispose();
        return largest;
    }

    [Fact]
    public void Dropped_channels_stay_exactly_zero_through_SGD_with_momentum_and_weight_decay()
    {
        var extracted = Extract(7);
        using var _ = extracted.Model;
        Assert.True(extracted.Plan.ZeroedChannels > 0, "the random masks should leave channels held at zero");
        Assert.Contains("layer2.0.downsample.1.bias", extracted.ZeroedRows.Keys);
        var before = extracted.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());

        using var hold = new ZeroedChannelHold(extracted);
        Assert.Equal(extracted.ZeroedRows.Count, hold.Parameters);
        using var opt = Train(extracted, hold);

        var parameters = extracted.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, rows) in extracted.ZeroedRows)
        {
            var p = parameters[name];
            var values = p.Value.ToArray();
            var momentum = opt.State[p][0].ToArray();
            int row = values.Length / rows.Length;
            for (int i = 0; i < values.Length; i++)
            {
                if (rows[i / row] == 0f)
                {
                    Assert.True(values[i] == 0f, $"{name}[{i}] = {values[i]} on a zeroed row");
                    Assert.True(momentum[i] == 0f, $"{name}[{i}]'s momentum = {momentum[i]} on a zeroed row");
                }
            }
            Assert.NotEqual(before[name], values); // the kept rows still train
        }
        extracted.Model.Train();
        Assert.Equal(0f, LargestZeroedOutput(extracted));
        extracted.Model.Eval();
        Assert.Equal(0f, LargestZeroedOutput(extracted));
    }

    [Fact]
    public void Without_the_hold_the_same_training_revives_them()
    {
        var extracted = Extract(7);
        using var _ = extracted.Model;
        extracted.Model.Eval();
        Assert.Equal(0f, LargestZeroedOutput(extracted)); // exact after extraction
        using var opt = Train(extracted, hold: null);
        extracted.Model.Eval();
        Assert.True(LargestZeroedOutput(extracted) > 0f);
    }

    [Fact]
    public void Shared_mode_holds_nothing()
    {
        using var dense = new ResNet(new ModuleInit(Cpu, 3), Spec, Input, Classes);
        var masks = RandomMasks(ChannelGraph.Of(dense), 3, shared: true);
        var extracted = Extractor.Extract(dense, masks, ResidualMode.Shared, new Shape(1, 3, Side, Side),
            w => new ResNet(ModuleInit.Undrawn(Cpu), Spec, Input, Classes, w));
        using var _ = extracted.Model;
        Assert.Empty(extracted.ZeroedRows);
        using var hold = new ZeroedChannelHold(extracted);
        Assert.Equal(0, hold.Parameters);
    }
}
