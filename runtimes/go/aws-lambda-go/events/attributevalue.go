package events

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// DynamoDBAttributeValue is one value of a DynamoDB item, as stream records carry it: an object with a
// single key naming its type ({"S": "x"}, {"N": "1"}, {"M": {...}}, ...). The accessor for another
// type than the value's panics with an IncompatibleDynamoDBTypeError.
type DynamoDBAttributeValue struct {
	value    interface{}
	dataType DynamoDBDataType
}

// DynamoDBDataType is the type of a DynamoDBAttributeValue.
type DynamoDBDataType int

const (
	DataTypeBinary DynamoDBDataType = iota
	DataTypeBoolean
	DataTypeBinarySet
	DataTypeList
	DataTypeMap
	DataTypeNumber
	DataTypeNumberSet
	DataTypeNull
	DataTypeString
	DataTypeStringSet
)

// typeKeys are the JSON keys of the types, in DynamoDBDataType order.
var typeKeys = [...]string{"B", "BOOL", "BS", "L", "M", "N", "NS", "NULL", "S", "SS"}

// UnsupportedDynamoDBTypeError is returned when decoding a value of a type this package does not know.
type UnsupportedDynamoDBTypeError struct {
	Type string
}

func (e UnsupportedDynamoDBTypeError) Error() string {
	return fmt.Sprintf("unsupported DynamoDB attribute type, %v", e.Type)
}

// IncompatibleDynamoDBTypeError is the panic value of an accessor called for the wrong type.
type IncompatibleDynamoDBTypeError struct {
	Requested DynamoDBDataType
	Actual    DynamoDBDataType
}

func (e IncompatibleDynamoDBTypeError) Error() string {
	return fmt.Sprintf("accessor called for incompatible type, requested type %v but actual type was %v", e.Requested, e.Actual)
}

func (av DynamoDBAttributeValue) must(t DynamoDBDataType) {
	if av.dataType != t {
		panic(IncompatibleDynamoDBTypeError{Requested: t, Actual: av.dataType})
	}
}

func (av DynamoDBAttributeValue) Binary() []byte { av.must(DataTypeBinary); return av.value.([]byte) }
func (av DynamoDBAttributeValue) Boolean() bool  { av.must(DataTypeBoolean); return av.value.(bool) }
func (av DynamoDBAttributeValue) BinarySet() [][]byte {
	av.must(DataTypeBinarySet)
	return av.value.([][]byte)
}
func (av DynamoDBAttributeValue) List() []DynamoDBAttributeValue {
	av.must(DataTypeList)
	return av.value.([]DynamoDBAttributeValue)
}
func (av DynamoDBAttributeValue) Map() map[string]DynamoDBAttributeValue {
	av.must(DataTypeMap)
	return av.value.(map[string]DynamoDBAttributeValue)
}

// Number is a number's decimal text, as DynamoDB keeps it.
func (av DynamoDBAttributeValue) Number() string { av.must(DataTypeNumber); return av.value.(string) }

// Int64 parses a number as an int64.
func (av DynamoDBAttributeValue) Int64() (int64, error) {
	return strconv.ParseInt(av.Number(), 10, 64)
}

// Integer is Int64 under its older name.
func (av DynamoDBAttributeValue) Integer() (int64, error) { return av.Int64() }

// Float parses a number as a float64.
func (av DynamoDBAttributeValue) Float() (float64, error) {
	return strconv.ParseFloat(av.Number(), 64)
}

func (av DynamoDBAttributeValue) NumberSet() []string {
	av.must(DataTypeNumberSet)
	return av.value.([]string)
}

// String is a string value's text; for any other type, a description of the value (fmt.Stringer).
func (av DynamoDBAttributeValue) String() string {
	if av.dataType == DataTypeString {
		return av.value.(string)
	}
	return fmt.Sprintf("{%s: %v}", typeKeys[av.dataType], av.value)
}

func (av DynamoDBAttributeValue) StringSet() []string {
	av.must(DataTypeStringSet)
	return av.value.([]string)
}

func (av DynamoDBAttributeValue) IsNull() bool               { return av.dataType == DataTypeNull }
func (av DynamoDBAttributeValue) DataType() DynamoDBDataType { return av.dataType }

func NewBinaryAttribute(value []byte) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeBinary}
}
func NewBooleanAttribute(value bool) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeBoolean}
}
func NewBinarySetAttribute(value [][]byte) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeBinarySet}
}
func NewListAttribute(value []DynamoDBAttributeValue) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeList}
}
func NewMapAttribute(value map[string]DynamoDBAttributeValue) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeMap}
}
func NewNumberAttribute(value string) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeNumber}
}
func NewNumberSetAttribute(value []string) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeNumberSet}
}
func NewNullAttribute() DynamoDBAttributeValue { return DynamoDBAttributeValue{nil, DataTypeNull} }
func NewStringAttribute(value string) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeString}
}
func NewStringSetAttribute(value []string) DynamoDBAttributeValue {
	return DynamoDBAttributeValue{value, DataTypeStringSet}
}

// MarshalJSON writes the value in DynamoDB's typed form (binary values base64-encoded).
func (av DynamoDBAttributeValue) MarshalJSON() ([]byte, error) {
	if av.dataType < 0 || int(av.dataType) >= len(typeKeys) {
		return nil, UnsupportedDynamoDBTypeError{fmt.Sprint(av.dataType)}
	}
	var v interface{} = av.value
	if av.dataType == DataTypeNull {
		v = true
	}
	return json.Marshal(map[string]interface{}{typeKeys[av.dataType]: v})
}

// UnmarshalJSON reads a value in DynamoDB's typed form.
func (av *DynamoDBAttributeValue) UnmarshalJSON(b []byte) error {
	var typed map[string]json.RawMessage
	if err := json.Unmarshal(b, &typed); err != nil {
		return err
	}
	if len(typed) != 1 {
		return fmt.Errorf("a DynamoDB attribute value has exactly one type key, got %d", len(typed))
	}
	for key, raw := range typed {
		return av.decode(key, raw)
	}
	return nil
}

func (av *DynamoDBAttributeValue) decode(key string, raw json.RawMessage) error {
	var err error
	switch key {
	case "B":
		var v []byte
		err = json.Unmarshal(raw, &v)
		*av = NewBinaryAttribute(v)
	case "BOOL":
		var v bool
		err = json.Unmarshal(raw, &v)
		*av = NewBooleanAttribute(v)
	case "BS":
		var v [][]byte
		err = json.Unmarshal(raw, &v)
		*av = NewBinarySetAttribute(v)
	case "L":
		var v []DynamoDBAttributeValue
		err = json.Unmarshal(raw, &v)
		*av = NewListAttribute(v)
	case "M":
		var v map[string]DynamoDBAttributeValue
		err = json.Unmarshal(raw, &v)
		*av = NewMapAttribute(v)
	case "N":
		var v string
		err = json.Unmarshal(raw, &v)
		*av = NewNumberAttribute(v)
	case "NS":
		var v []string
		err = json.Unmarshal(raw, &v)
		*av = NewNumberSetAttribute(v)
	case "NULL":
		*av = NewNullAttribute()
	case "S":
		var v string
		err = json.Unmarshal(raw, &v)
		*av = NewStringAttribute(v)
	case "SS":
		var v []string
		err = json.Unmarshal(raw, &v)
		*av = NewStringSetAttribute(v)
	default:
		return UnsupportedDynamoDBTypeError{key}
	}
	return err
}
