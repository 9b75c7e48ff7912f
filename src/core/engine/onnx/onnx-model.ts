/**
 * A minimal ONNX model writer: the few protobuf messages of onnx.proto a plain feed-forward graph
 * needs (nodes, float and int64 initialisers, typed inputs and outputs), encoded with protobufjs. The
 * field numbers are onnx.proto's (github.com/onnx/onnx, onnx/onnx.proto); everything else is left out.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package onnx;
message AttributeProto { string name = 1; float f = 2; int64 i = 3; repeated int64 ints = 8; int32 type = 20; }
message TensorShapeProto { message Dimension { int64 dim_value = 1; string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

/** onnx.proto's TensorProto.DataType and AttributeProto.AttributeType values used here */
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attribute = { name: string; type: number; i?: number; ints?: number[] };
type Dim = number | string;

/** Builds one graph: add initialisers and nodes in order, then `encode`. */
export class OnnxGraph {
  private readonly nodes: {
    opType: string;
    input: string[];
    output: string[];
    name: string;
    attribute: Attribute[];
  }[] = [];
  private readonly initializers: { name: string; dims: number[]; dataType: number; rawData: Uint8Array }[] = [];
  private next = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.next++}`;
  }

  /** A float32 constant (weights, biases), stored little-endian as onnx.proto's raw_data requires. */
  floats(prefix: string, values: Float32Array | number[], dims: number[]): string {
    const name = this.fresh(prefix);
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(0)) });
    return name;
  }

  /** An int64 constant (e.g. Pad's pads). */
  int64s(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(values.map(BigInt));
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** One operator; returns its output's name. */
  op(opType: string, input: string[], attrs: Record<string, number | number[]> = {}, output?: string): string {
    const name = output ?? this.fresh(opType);
    const attribute = Object.entries(attrs).map(([n, v]) =>
      Array.isArray(v) ? { name: n, type: ATTR_INTS, ints: v } : { name: n, type: ATTR_INT, i: v },
    );
    this.nodes.push({ opType, input, output: [name], name, attribute });
    return name;
  }

  /** The model: opset 13 (Conv, Pad with pads as input, ReduceMean with axes as attribute). */
  encode(graphName: string, input: { name: string; dims: Dim[] }, output: { name: string; dims: Dim[] }): Uint8Array {
    const Model = protobuf.parse(SCHEMA).root.lookupType('onnx.ModelProto');
    const valueInfo = (v: { name: string; dims: Dim[] }) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: FLOAT,
          shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
    return Model.encode(
      Model.create({
        irVersion: 8,
        producerName: 'sitter',
        opsetImport: [{ domain: '', version: 13 }],
        graph: {
          name: graphName,
          node: this.nodes,
          initializer: this.initializers,
          input: [valueInfo(input)],
          output: [valueInfo(output)],
        },
      }),
    ).finish();
  }
}
