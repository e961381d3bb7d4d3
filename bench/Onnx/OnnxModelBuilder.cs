using System.Runtime.InteropServices;

namespace SparseCore.Bench.Onnx;

/// <summary>A node attribute: one int, one float, or a list of ints (kernel_shape, pads, strides).</summary>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}

/// <summary>
/// Writes a float32 ONNX ModelProto (ir_version 8, default-domain opset 13) from graph inputs,
/// outputs, constant initializers and nodes — single-op peer models (MatMul, Conv with constant
/// weights: ORT prepacks initializers, which is the fair comparison) and whole networks. Int64
/// initializers carry the index operands opset 13 takes as inputs (Slice's starts and steps, Pad's
/// pads). Field numbers are from onnx/onnx.proto3.
/// </summary>
public sealed class OnnxModelBuilder
{
    private const int FloatType = 1, Int64Type = 7; // TensorProto.DataType.FLOAT, INT64
    private const int AttrFloat = 1, AttrInt = 2, AttrInts = 7; // AttributeProto.AttributeType

    private readonly List<(string Name, long[] Shape)> _inputs = [];
    private readonly List<(string Name, long[] Shape)> _outputs = [];
    private readonly List<(string Name, long[] Shape, int DataType, byte[] Raw)> _initializers = [];
    private readonly List<(string OpType, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes)> _nodes = [];

    public OnnxModelBuilder AddInput(string name, params long[] shape)
    {
        _inputs.Add((name, shape));
        return this;
    }

    public OnnxModelBuilder AddOutput(string name, params long[] shape)
    {
        _outputs.Add((name, shape));
        return this;
    }

    public OnnxModelBuilder AddInitializer(string name, long[] shape, ReadOnlySpan<float> data) =>
        AddInitializer(name, shape, FloatType, MemoryMarshal.AsBytes(data), data.Length);

    public OnnxModelBuilder AddInitializer(string name, long[] shape, ReadOnlySpan<long> data) =>
        AddInitializer(name, shape, Int64Type, MemoryMarshal.AsBytes(data), data.Length);

    private OnnxModelBuilder AddInitializer(string name, long[] shape, int dataType, ReadOnlySpan<byte> raw, int length)
    {
        long count = shape.Aggregate(1L, (x, y) => x * y);
        if (length != count)
            throw new ArgumentException($"Initializer '{name}' has shape [{string.Join(",", shape)}] = {count} values but {length} were given.", "data");
        // raw_data is little-endian; so is every machine .NET runs this bench on.
        _initializers.Add((name, shape, dataType, raw.ToArray()));
        return this;
    }

    public OnnxModelBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        _nodes.Add((opType, inputs, outputs, attributes));
        return this;
    }

    public byte[] Build(string graphName = "graph")
    {
        var model = new ProtoWriter();
        model.Int64(1, 8);                                  // ir_version
        model.String(2, "SparseCore.Bench");                // producer_name
        model.Message(7, graph =>                           // graph
        {
            for (int i = 0; i < _nodes.Count; i++)
                graph.Message(1, node => WriteNode(node, _nodes[i], $"node{i}"));
            graph.String(2, graphName);
            foreach (var init in _initializers)
                graph.Message(5, t => WriteTensor(t, init.Name, init.Shape, init.DataType, init.Raw));
            foreach (var (name, shape) in _inputs)
                graph.Message(11, v => WriteValueInfo(v, name, shape));
            foreach (var (name, shape) in _outputs)
                graph.Message(12, v => WriteValueInfo(v, name, shape));
        });
        model.Message(8, opset =>                           // opset_import
        {
            opset.String(1, "");                            // domain: default ONNX
            opset.Int64(2, 13);                             // version
        });
        return model.ToArray();
    }

    private static void WriteNode(ProtoWriter w, (string OpType, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes) node, string name)
    {
        foreach (var input in node.Inputs) w.String(1, input);
        foreach (var output in node.Outputs) w.String(2, output);
        w.String(3, name);
        w.String(4, node.OpType);
        foreach (var attr in node.Attributes)
            w.Message(5, a => WriteAttribute(a, attr));
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute attr)
    {
        w.String(1, attr.Name);
        if (attr.Float is { } f)
        {
            w.Float(2, f);
            w.Int64(20, AttrFloat);
        }
        else if (attr.Int is { } i)
        {
            w.Int64(3, i);
            w.Int64(20, AttrInt);
        }
        else if (attr.Ints is { } ints)
        {
            foreach (long v in ints) w.Int64(8, v); // unpacked repeated int64: accepted by every parser
            w.Int64(20, AttrInts);
        }
        else
        {
            throw new ArgumentException($"Attribute '{attr.Name}' has no value.");
        }
    }

    private static void WriteTensor(ProtoWriter w, string name, long[] shape, int dataType, byte[] raw)
    {
        foreach (long d in shape) w.Int64(1, d);           // dims
        w.Int64(2, dataType);                               // data_type
        w.String(8, name);
        w.Bytes(9, raw);                                    // raw_data
    }

    private static void WriteValueInfo(ProtoWriter w, string name, long[] shape)
    {
        w.String(1, name);
        w.Message(2, type =>                                // TypeProto
            type.Message(1, tensor =>                       // tensor_type
            {
                tensor.Int64(1, FloatType);                 // elem_type
                tensor.Message(2, s =>                      // shape
                {
                    foreach (long d in shape)
                        s.Message(1, dim => dim.Int64(1, d)); // dim_value
                });
            }));
    }
}
