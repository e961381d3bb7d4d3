using SparseCore.Bench.Onnx;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Bench.Network;

/// <summary>
/// The engine's basic-block ResNet as an ONNX graph for ONNX Runtime, with the network's current
/// weights as constant initializers, in inference form: Mul/Add for the input normalisation, Conv,
/// BatchNormalization with the running statistics (ORT folds it into the conv, as it would for any
/// exported model), Relu, Add, GlobalAveragePool, Flatten, Gemm, and the zero-padding shortcut as
/// Slice with steps (the subsample) + Pad on the channel axis. It walks the modules the network is
/// made of, in the order its forward runs them, and refuses any it does not know rather than export
/// a different network.
/// </summary>
internal sealed class OnnxResNet
{
    private readonly OnnxModelBuilder onnx = new();
    private int nextName;

    private OnnxResNet()
    {
    }

    /// <summary>The ONNX model of <paramref name="net"/> for a fixed batch of <paramref name="batch"/> images; input "x", output "logits".</summary>
    public static byte[] Build(ResNet net, int batch)
    {
        if (net.Spec.Block != ResNetBlock.Basic)
            throw new NotSupportedException($"the ONNX export covers basic-block ResNets, not {net.Spec.Name}");
        var export = new OnnxResNet();
        export.onnx.AddInput("x", batch, NetworkCase.Channels, NetworkCase.Height, NetworkCase.Width);
        string y = net.Children.Aggregate("x", (x, child) => export.Layer(child.Name, child.Module, x));
        export.onnx.AddNode("Identity", [y], ["logits"]);
        export.onnx.AddOutput("logits", batch, NetworkCase.Classes);
        return export.onnx.Build(net.Spec.Name);
    }

    private string Layer(string name, Module module, string x) => module switch
    {
        Normalize n => Normalize(n, x),
        Conv2d c => Conv(c, x),
        BatchNorm2d b => BatchNorm(b, x),
        ReLU => Node("Relu", [x]),
        // A stage (layerK), or a conv shortcut's conv + batch-norm (downsample).
        Sequential s => s.Children.Aggregate(x, (h, child) => Layer($"{name}.{child.Name}", child.Module, h)),
        BasicBlock block => Block(name, block, x),
        AdaptiveAvgPool2d { OutputSize: 1 } => Node("GlobalAveragePool", [x]),
        Linear l => Gemm(l, Node("Flatten", [x])),
        _ => throw new NotSupportedException($"the ONNX export does not know {name} ({module.GetType().Name})"),
    };

    /// <summary>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), as BasicBlock's forward.</summary>
    private string Block(string name, BasicBlock block, string x)
    {
        var parts = block.Children.ToDictionary(c => c.Name, c => c.Module);
        string y = Node("Relu", [Layer($"{name}.bn1", parts["bn1"], Layer($"{name}.conv1", parts["conv1"], x))]);
        y = Layer($"{name}.bn2", parts["bn2"], Layer($"{name}.conv2", parts["conv2"], y));
        string identity = parts.TryGetValue("downsample", out var downsample) ? Layer($"{name}.downsample", downsample, x)
                        : parts.TryGetValue("shortcut", out var shortcut) ? PadShortcut((PadShortcut)shortcut, x)
                        : x;
        return Node("Relu", [Node("Add", [y, identity])]);
    }

    private string Normalize(Normalize n, string x)
    {
        // (x − mean) / std as the engine computes it: x · (1/std) + (−mean/std), per channel.
        long[] shape = n.Mean.Count == 1 ? [1] : [1, n.Mean.Count, 1, 1];
        string scale = Constant(shape, n.Std.Select(s => 1f / s).ToArray());
        string shift = Constant(shape, n.Mean.Select((m, c) => -m / n.Std[c]).ToArray());
        return Node("Add", [Node("Mul", [x, scale]), shift]);
    }

    private string Conv(Conv2d c, string x)
    {
        var inputs = new List<string> { x, Constant(c.Weight.Value) };
        if (c.Bias is { } bias) inputs.Add(Constant(bias.Value));
        return Node("Conv", [.. inputs],
            OnnxAttribute.Of("kernel_shape", c.Kernel, c.Kernel),
            OnnxAttribute.Of("pads", c.Padding, c.Padding, c.Padding, c.Padding),
            OnnxAttribute.Of("strides", c.Stride, c.Stride));
    }

    private string BatchNorm(BatchNorm2d b, string x) =>
        Node("BatchNormalization", [x, Constant(b.Weight.Value), Constant(b.Bias.Value), Constant(b.RunningMean), Constant(b.RunningVar)],
            OnnxAttribute.Of("epsilon", b.Eps));

    private string Gemm(Linear l, string x)
    {
        var inputs = new List<string> { x, Constant(l.Weight.Value) };
        if (l.Bias is { } bias) inputs.Add(Constant(bias.Value));
        return Node("Gemm", [.. inputs], OnnxAttribute.Of("transB", 1L));
    }

    /// <summary>x[:, :, ::stride, ::stride] (Slice with steps), then zero channels after the input's (Pad on axis 1).</summary>
    private string PadShortcut(PadShortcut p, string x)
    {
        if (p.Stride != 1)
            x = Node("Slice", [x, Int64s(0, 0), Int64s(long.MaxValue, long.MaxValue), Int64s(2, 3), Int64s(p.Stride, p.Stride)]);
        if (p.OutChannels != p.InChannels)
            x = Node("Pad", [x, Int64s(0, 0, 0, 0, 0, p.OutChannels - p.InChannels, 0, 0)]);
        return x;
    }

    private string Node(string op, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = NewName(op);
        onnx.AddNode(op, inputs, [output], attributes);
        return output;
    }

    private string Constant(Tensor t) => Constant(Array.ConvertAll(t.Shape.Dims.ToArray(), d => (long)d), t.ToArray());

    private string Constant(long[] shape, float[] data)
    {
        string name = NewName("w");
        onnx.AddInitializer(name, shape, data);
        return name;
    }

    private string Int64s(params long[] values)
    {
        string name = NewName("i");
        onnx.AddInitializer(name, [values.Length], values);
        return name;
    }

    private string NewName(string prefix) => $"{prefix}{nextName++}";
}
