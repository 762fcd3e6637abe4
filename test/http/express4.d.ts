// `express4` is express@4 installed under an npm alias and ships no types. The parts these tests
// use have the same shape in both majors, so Express 5's declarations stand in for it.
declare module "express4" {
  import express from "express";
  export default express;
}
