#!/usr/bin/env node
console.log("chaperone");
