export const protobufCodec = { decode(): unknown { throw new Error("protobuf not yet") }, encode(): Buffer { throw new Error("protobuf not yet") } }
