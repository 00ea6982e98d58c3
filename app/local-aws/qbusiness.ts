/**
 * The local AWS's Amazon Q Business (restJson1). Work in progress: handlers land next.
 */
import { AwsError, type EmuRequest, type ServiceModule } from "./types";

export const qbusinessService: ServiceModule = {
  service: "qbusiness",
  protocol: "restJson1",
  operationOf(_req: EmuRequest) {
    return undefined;
  },
  handle(operation) {
    throw new AwsError("InternalServerException", `${operation} is not implemented yet`, 500);
  },
};
