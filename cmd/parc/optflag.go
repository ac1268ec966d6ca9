package main

import (
	"fmt"
	"strconv"
)

// optionalString is a flag that tells "not given" (nil) from "given empty",
// for partial updates.
type optionalString struct{ value *string }

func (o *optionalString) String() string {
	if o == nil || o.value == nil {
		return ""
	}
	return *o.value
}

func (o *optionalString) Set(s string) error {
	o.value = &s
	return nil
}

// optionalInt is an integer flag that tells "not given" (nil) apart.
type optionalInt struct{ value *int }

func (o *optionalInt) String() string {
	if o == nil || o.value == nil {
		return ""
	}
	return strconv.Itoa(*o.value)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want a whole number, got %q", s)
	}
	o.value = &n
	return nil
}
