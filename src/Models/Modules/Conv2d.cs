using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// 2-D convolution with a square kernel, weight [out, in, k, k] and optional bias [out], as
/// torch.nn.Conv2d names them (groups 1, dilation 1).
/// </summary>
public sealed class Conv2d : Module, IMaskableWeight
{
    public Conv2d(ModuleInit init, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0,
                  bool bias = true, ConvInit weightInit = ConvInit.PyTorchDefault)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException(
                $"Conv2d: channels, kernel and stride must be positive and padding non-negative, got in={inChannels}, out={outChannels}, kernel={kernel}, stride={stride}, padding={padding}");
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        var shape = new Shape(outChannels, inChannels, kernel, kernel);
        if (weightInit is ConvInit.KaimingNormalFanOut or ConvInit.NormalFanIn)
        {
            float std = weightInit == ConvInit.KaimingNormalFanOut
                ? MathF.Sqrt(2f / (outChannels * kernel * kernel))
                : MathF.Sqrt(1f / (inChannels * kernel * kernel));
            Weight = AddParameter("weight", init.Normal(shape, std));
            Bias = bias ? AddParameter("bias", init.Constant(new Shape(outChannels), 0f)) : null;
        }
        else
        {
            float bound = 1f / MathF.Sqrt(inChannels * kernel * kernel);
            Weight = AddParameter("weight", init.Uniform(shape, bound));
            Bias = bias ? AddParameter("bias", init.Uniform(new Shape(outChannels), bound)) : null;
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public int FanIn => InChannels * Kernel * Kernel;

    public Func<Tensor, Tensor>? WeightView { get; set; }

    public Func<Tensor, Tensor>? ForwardReplacement { get; set; }

    protected override Tensor ForwardCore(Tensor x) => ForwardReplacement?.Invoke(x) ?? F.Conv2d(x, WeightView?.Invoke(Weight.Value) ?? Weight.Value, Bias?.Value, Stride, Padding);

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank != 4 || input[1] > InChannels)
            throw new TensorShapeException($"Conv2d '{trace.Name}'", $"needs [N, ≤{InChannels}, H, W], got {input}");
        int inC = input[1], outC = trace.KeptOutputs(OutChannels);
        int outH = (input[2] + 2 * Padding - Kernel) / Stride + 1, outW = (input[3] + 2 * Padding - Kernel) / Stride + 1;
        if (outH <= 0 || outW <= 0)
            throw new TensorShapeException($"Conv2d '{trace.Name}'", $"kernel {Kernel} with padding {Padding} does not fit input {input}");
        var output = new Shape(input[0], outC, outH, outW);
        long perOutput = (long)inC * Kernel * Kernel;
        trace.Record("conv", input, output, outC * perOutput + (Bias is null ? 0 : outC), (long)output.Size * perOutput);
        return output;
    }
}
