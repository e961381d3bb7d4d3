using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// torch.nn.BatchNorm2d: parameters weight (γ, ones) and bias (β, zeros); buffers running_mean
/// (zeros), running_var (ones) and num_batches_tracked. Training normalises with the batch
/// statistics and updates the running buffers in place; evaluation uses the running buffers.
/// </summary>
public sealed class BatchNorm2d : Module
{
    private readonly Tensor batchesTracked;

    public BatchNorm2d(ModuleInit init, int channels, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (channels <= 0) throw new ArgumentException($"BatchNorm2d: channels must be positive, got {channels}");
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentException($"BatchNorm2d: momentum must be in [0, 1], got {momentum}");
        if (!(eps > 0)) throw new ArgumentException($"BatchNorm2d: eps must be positive, got {eps}");
        Channels = channels;
        Momentum = momentum;
        Eps = eps;
        var shape = new Shape(channels);
        Weight = AddParameter("weight", init.Constant(shape, 1f));
        Bias = AddParameter("bias", init.Constant(shape, 0f));
        RunningMean = AddBuffer("running_mean", init.Constant(shape, 0f));
        RunningVar = AddBuffer("running_var", init.Constant(shape, 1f));
        // PyTorch keeps an int64 scalar; a float32 scalar (shape [], as in the state dict) counts
        // exactly to 2^24 steps, and only momentum=None would read it.
        batchesTracked = AddBuffer("num_batches_tracked", init.Constant(new Shape(), 0f));
    }

    public int Channels { get; }
    public float Momentum { get; }
    public float Eps { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        var y = F.BatchNorm2d(x, Weight.Value, Bias.Value, RunningMean, RunningVar, Training, Momentum, Eps);
        if (Training) batchesTracked.Backend.Affine(batchesTracked.Buffer, batchesTracked.Buffer, 1f, 1f, 1);
        return y;
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank != 4 || input[1] > Channels)
            throw new TensorShapeException($"BatchNorm2d '{trace.Name}'", $"needs [N, ≤{Channels}, H, W], got {input}");
        trace.Record("batchnorm", input, input, 2L * input[1], 0);
        return input;
    }
}
